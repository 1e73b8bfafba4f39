"""A wellbeing services county's report for its regional welfare report: every municipality side
by side (actions, per 10,000 inhabitants, organisations, the plan's sub-goals and measures each
one covers, and the welfare indicators), never averaged, with the county as a whole after them.

One data model gives the JSON, the page (printable), the PDF and the XLSX, so the four always
say the same; the figures are the place pages' own (the same aggregates, the same rounding)."""

import io
import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF
from fpdf.fonts import TextStyle
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from openpyxl import Workbook

from htk_reporting.context import Reporting
from htk_reporting.model.contribution import cell_id
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.output.exports import _xlsx_row
from htk_reporting.output.yearly import FONT_DIR, FONT_FILES, HELSINKI, LANGUAGES, PDF_STYLES, Lang
from htk_reporting.places import indicator_store as istore
from htk_reporting.places.figures import cells, find_place, municipality_names, population
from htk_reporting.places.indicators import LICENCE as INDICATOR_LICENCE
from htk_reporting.places.indicators import SOURCE as INDICATOR_SOURCE
from htk_reporting.places.population import per_10000
from htk_reporting.views.figures import figures

ReportFormat = Literal["json", "html", "pdf", "xlsx"]
HERE = Path(__file__).parent
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def messages(lang: str) -> dict[str, str]:
    found: dict[str, str] = json.loads(
        (HERE / "report_messages" / f"{lang}.json").read_text("utf-8")
    )
    return found


def translator(lang: str) -> Callable[..., str]:
    words = messages(lang)

    def t(key: str, **values: Any) -> str:
        return words[key].format(**values) if values else words[key]

    return t


def name_in(lang: str, names: dict[str, str] | None, fallback: str = "") -> str:
    names = names or {}
    return str(names.get(lang) or names.get("fi") or fallback)


# -- the data ---------------------------------------------------------------------------------


def _place_row(
    whole: dict[str, Any] | None,
    counts: dict[str, int],
    sub_goals: list[str],
    measures: list[str],
    people: int | None,
    now: datetime,
    r: Reporting,
) -> dict[str, Any]:
    fig = figures(whole, now)
    return {
        "population": people,
        "actions": fig["actions"],
        "per_10000": per_10000(fig["actions"], people),
        "organisations": fig["organisations"],
        "sub_goals": {c: counts[c] for c in sub_goals},
        "measures": {c: counts[c] for c in measures},
        "sub_goals_covered": sum(1 for c in sub_goals if counts[c] > 0),
        "measures_covered": sum(1 for c in measures if counts[c] > 0),
        # The place page's gaps: active sub-goals without an action naming the place.
        "gaps": [c for c in sub_goals if counts[c] == 0],
    }


async def _indicators(
    r: Reporting, municipalities: list[str], county: str
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float | None]]]:
    """Each indicator's latest year held for the county's municipalities, and every place's
    value in that year (``None`` where the source has none: "no data", never zero)."""
    metas = await istore.indicators(r.db)
    out: list[dict[str, Any]] = []
    values: dict[str, dict[str, float | None]] = {m: {} for m in [*municipalities, county]}
    for ind in metas:
        held = [v for v in await istore.values(r.db, ind, "municipality")
                if v["code"] in values] + [
            v for v in await istore.values(r.db, ind, "county") if v["code"] == county
        ]  # fmt: skip
        years = [v["year"] for v in held if v["code"] != county] or [v["year"] for v in held]
        if not years:
            continue
        year = max(years)
        key = str(ind["_id"])
        for place in values:
            values[place][key] = None
        for v in held:
            if v["year"] == year:
                values[v["code"]][key] = v["value"]
        out.append(
            {
                "id": ind["_id"],
                "key": key,
                "title": ind.get("title", {}),
                "unit": ind.get("unit", {}),
                "organisation": ind.get("organisation"),
                "example": bool(ind.get("example")),
                "year": year,
            }
        )
    return out, values


async def county_report(r: Reporting, code: str, now: datetime) -> dict[str, Any]:
    county = find_place(r, "county", code)
    pop = population(r)
    municipalities = r.geo.municipalities_in(code)
    sub_goals = r.plan.active("sub_goal")
    measures = r.plan.active("measure")
    node_codes = [n.code for n in [*sub_goals, *measures]]
    scopes = [*(f"municipality:{m}" for m in municipalities), county.scope]
    # Two reads: the whole-plan documents (with their organisations) and every node's count.
    whole = await cells(r, [cell_id(WHOLE_PLAN, s) for s in scopes], "actions", "orgs",
                        "county_wide")  # fmt: skip
    by_node = await cells(r, [cell_id(n, s) for s in scopes for n in node_codes], "actions")
    indicators, values = await _indicators(r, municipalities, code)
    sg = [n.code for n in sub_goals]
    ms = [n.code for n in measures]

    def counts(scope: str) -> dict[str, int]:
        return {n: int((by_node.get(cell_id(n, scope)) or {}).get("actions", 0))
                for n in node_codes}  # fmt: skip

    rows = []
    for m in municipalities:
        scope = f"municipality:{m}"
        row = _place_row(whole.get(cell_id(WHOLE_PLAN, scope)), counts(scope), sg, ms,
                         pop.of_municipality(m), now, r)  # fmt: skip
        rows.append(
            {
                "code": m,
                "names": municipality_names(r, m),
                **row,
                "indicators": values[m],
                "url": f"/places/municipality/{m}",
            }
        )
    county_doc = whole.get(cell_id(WHOLE_PLAN, county.scope))
    county_row = {
        "code": code,
        "names": county.names,
        **_place_row(county_doc, counts(county.scope), sg, ms, county.population, now, r),
        # Actions naming the county as a whole (the place page's county-wide list); those that
        # also name a municipality count there too.
        "county_wide": int((county_doc or {}).get("county_wide", 0)),
        "indicators": values[code],
        "url": county.url,
    }

    def node_rows(nodes: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "code": n.code,
                "names": n.names or {"fi": n.name},
                "municipalities_covering": sum(
                    1 for row in rows if (row["sub_goals"] | row["measures"])[n.code] > 0
                ),
                "county_actions": county_row[f"{n.level}s"][n.code],
            }
            for n in nodes
        ]

    return {
        **r.meta(now),
        "county": county_row,
        "municipalities": rows,
        "sub_goals": node_rows(sub_goals),
        "measures": node_rows(measures),
        "indicators": indicators,
        "example_indicators": any(i["example"] for i in indicators),
        "indicator_source": f"{INDICATOR_SOURCE} ({INDICATOR_LICENCE})",
        "population_date": pop.date,
        "population_year": pop.year,
    }


# -- the page and the PDF -----------------------------------------------------------------------


def _number(lang: str) -> Callable[[Any], str]:
    none = messages(lang)["no_data"]

    def number(value: Any) -> str:
        if value is None:
            return none
        if isinstance(value, float):
            text = f"{value:.1f}"
            return text.replace(".", ",") if lang in ("fi", "sv") else text
        return f"{value:,}".replace(",", "\u00a0")

    return number


def _computed(data: dict[str, Any]) -> str:
    at = datetime.fromisoformat(data["computed_at"]).astimezone(HELSINKI)
    return f"{at.day}.{at.month}.{at.year} {at:%H:%M}"


def render(data: dict[str, Any], lang: Lang, *, pdf: bool = False) -> str:
    code = data["county"]["code"]
    base = f"/places/county/{code}/report"
    return _templates.get_template("county_report.html").render(
        data=data,
        lang=lang,
        pdf=pdf,
        t=translator(lang),
        name=lambda row: name_in(lang, row.get("names"), row.get("code", "")),
        title_of=lambda ind: name_in(lang, ind.get("title"), ind.get("key", "")),
        unit_of=lambda ind: name_in(lang, ind.get("unit")),
        number=_number(lang),
        computed=_computed(data),
        languages=[(c, label, f"{base}?lang={c}") for c, label in LANGUAGES.items()],
        pdf_href=f"{base}?format=pdf&lang={lang}",
        xlsx_href=f"{base}?format=xlsx&lang={lang}",
        county_href=f"/places/county/{code}?lang={lang}",
        left=Markup(' align="left"') if pdf else "",
    )


def to_pdf(data: dict[str, Any], lang: Lang, font_dir: Path = FONT_DIR) -> bytes:
    # Landscape: the municipalities' table has a column per sub-goal.
    pdf = FPDF(orientation="L")
    pdf.set_creation_date(datetime.fromisoformat(data["computed_at"]))
    pdf.set_lang(lang)
    pdf.set_title(translator(lang)("title", county=name_in(lang, data["county"]["names"])))
    pdf.set_auto_page_break(auto=True, margin=15)
    for style, file in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(font_dir / file))
    pdf.add_page()
    pdf.set_font("DejaVu", size=9)
    styles: dict[str, TextStyle] = dict(PDF_STYLES)
    pdf.write_html(render(data, lang, pdf=True), font_family="DejaVu", tag_styles=styles)
    return bytes(pdf.output())


# -- the XLSX -----------------------------------------------------------------------------------


def table(data: dict[str, Any], lang: Lang) -> tuple[list[str], list[str], list[list[Any]]]:
    """The side-by-side table: its labels in ``lang`` (codes beside the names), its keys, and a
    row per municipality and one for the county as a whole."""
    t = translator(lang)
    cols: list[tuple[str, str]] = [
        ("code", t("col_code")),
        ("name", t("col_name")),
        ("kind", t("col_kind")),
        ("population", t("col_population", year=data["population_year"])),
        ("actions", t("col_actions")),
        ("per_10000", t("col_per_10000")),
        ("organisations", t("col_organisations")),
        ("county_wide", t("col_county_wide")),
        ("sub_goals_covered", t("col_sub_goals_covered", total=len(data["sub_goals"]))),
        ("measures_covered", t("col_measures_covered", total=len(data["measures"]))),
        ("gaps", t("col_gaps")),
    ]
    for group, nodes in (("sub_goal", data["sub_goals"]), ("measure", data["measures"])):
        for n in nodes:
            label = f"{t('col_' + group)}: {n['code']} {name_in(lang, n['names'])}"
            cols.append((f"{group}:{n['code']}", label))
    for ind in data["indicators"]:
        unit = name_in(lang, ind.get("unit"))
        label = f"{name_in(lang, ind['title'])} ({ind['id']}), {ind['year']}"
        cols.append((f"indicator:{ind['id']}", f"{label}{f' [{unit}]' if unit else ''}"))
    rows: list[list[Any]] = []
    places = [(row, "municipality") for row in data["municipalities"]]
    for row, kind in [*places, (data["county"], "county")]:
        flat: dict[str, Any] = {
            "code": row["code"],
            "name": name_in(lang, row["names"], row["code"]),
            "kind": t("kind_" + kind),
            "population": row["population"],
            "actions": row["actions"],
            "per_10000": row["per_10000"],
            "organisations": row["organisations"],
            "county_wide": row.get("county_wide"),
            "sub_goals_covered": row["sub_goals_covered"],
            "measures_covered": row["measures_covered"],
            "gaps": ", ".join(row["gaps"]),
        }
        for group in ("sub_goal", "measure"):
            for node, n in row[group + "s"].items():
                flat[f"{group}:{node}"] = n
        for ind in data["indicators"]:
            flat[f"indicator:{ind['id']}"] = row["indicators"].get(ind["key"])
        rows.append([flat[key] for key, _ in cols])
    return [label for _, label in cols], [key for key, _ in cols], rows


def to_xlsx(data: dict[str, Any], lang: Lang, licence_url: str) -> bytes:
    labels, keys, rows = table(data, lang)
    t = translator(lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"county-{data['county']['code']}"
    sheet.append(_xlsx_row(sheet, labels))
    sheet.append(keys)
    for row in rows:
        sheet.append(_xlsx_row(sheet, row))
    sheet.freeze_panes = "C3"
    info = book.create_sheet("about")
    about: list[tuple[str, Any]] = [
        ("table", t("title", county=name_in(lang, data["county"]["names"]))),
        ("plan_version", data["plan_version"]),
        ("computed_at", data["computed_at"]),
        ("licence", data["licence"]),
        ("licence_url", licence_url),
        ("population", t("population_note", date=data["population_date"])),
        ("indicators", data["indicator_source"]),
    ]
    if data["example_indicators"]:
        about.append(("example", t("example_notice")))
    for key, value in about:
        info.append(_xlsx_row(info, [key, value]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
