"""The yearly report of implementation: what was done under each priority and sub-goal, coverage
by region and the actions that changed, as data, and from one template a page and a PDF in
Finnish, Swedish or English."""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.fonts import TextStyle
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.model.contribution import ALL, cell_id
from htk_reporting.model.geography import Geography
from htk_reporting.model.plan import WHOLE_PLAN, PlanView
from htk_reporting.store import actions
from htk_reporting.store import log as action_log
from htk_reporting.views.figures import Docs, county_table, figures, push_reason

EXAMPLES_PER_SUB_GOAL = 10
CHANGES_LISTED = 500


async def report_data(
    db: AsyncDatabase[dict[str, Any]],
    plan: PlanView,
    geo: Geography,
    docs: Docs,
    year: int,
    now: datetime,
    *,
    snapshot_id: str | None = None,
) -> dict[str, Any]:
    """``docs`` holds the cells of every node in scope ``all`` and of the whole plan by place."""
    priorities = []
    for p in plan.active("priority"):
        subs = []
        for s in plan.active("sub_goal"):
            if not s.code.startswith(p.code + "."):
                continue
            fig = figures(docs.get(cell_id(s.code, ALL)), now)
            codes = sorted(plan.sources(s.code))
            examples = await actions.example_titles(db, codes, EXAMPLES_PER_SUB_GOAL)
            subs.append(
                {
                    "code": s.code,
                    "name": s.name,
                    "names": s.names,
                    **fig,
                    "needs_push": push_reason(fig),
                    "examples": examples,
                }
            )
        fig = figures(docs.get(cell_id(p.code, ALL)), now)
        priorities.append(
            {"code": p.code, "name": p.name, "names": p.names, **fig, "sub_goals": subs}
        )
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    changed: dict[str, dict[str, Any]] = {}
    async for e in action_log.entries_between(db, start, end):
        if e["public_kind"]:
            title = e["facts"]["title"] if e["facts"] else None
            prior = changed.get(e["action_id"], {})
            changed[e["action_id"]] = {
                "action_id": e["action_id"],
                "title": title or prior.get("title"),
                "kinds": sorted({*prior.get("kinds", []), e["kind"]}),
                "last_change": e["time"].date().isoformat(),
            }
    missing = [a for a, c in changed.items() if not c["title"]]
    for action_id, title in (await actions.snapshot_titles(db, missing)).items():
        changed[action_id]["title"] = title or action_id
    counts = {
        k: sum(k in c["kinds"] for c in changed.values())
        for k in ("published", "updated", "withdrawn")
    }
    return {
        "year": year,
        "plan_version": plan.version,
        "computed_at": now.isoformat(),
        "snapshot_id": snapshot_id,
        "total": figures(docs.get(cell_id(WHOLE_PLAN, ALL)), now),
        "priorities": priorities,
        "regions": [
            {**row, "names": geo.county_names_i18n.get(row["code"], {})}
            for row in county_table(geo, docs, WHOLE_PLAN, now)
        ],
        "changes": {
            **counts,
            "actions": list(changed.values())[:CHANGES_LISTED],
            "listed_of": len(changed),
        },
    }


LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
Lang = Literal["fi", "sv", "en"]
HELSINKI = ZoneInfo("Europe/Helsinki")
# The site's accent colour and heading sizes (static/style.css in the gateway), so the PDF reads
# like the page.
ACCENT = "#0b4f8a"
PDF_STYLES = {
    "h1": TextStyle(color=ACCENT, font_size_pt=20, t_margin=2, b_margin=2),
    "h2": TextStyle(color=ACCENT, font_size_pt=15, t_margin=5, b_margin=2),
    "h3": TextStyle(color="#1a1a1a", font_size_pt=11, t_margin=4, b_margin=2),
}
# The templates and the report's messages sit at the package's root, beside the gateway-facing
# parts that share them.
HERE = Path(__file__).parent.parent
# fpdf2's core fonts know Latin-1 only: dashes, curly quotes, the euro sign and Sámi letters came
# out as "?". A TrueType font with those glyphs is embedded instead (Debian: fonts-dejavu-core).
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def messages(lang: str) -> dict[str, str]:
    found: dict[str, str] = json.loads((HERE / "messages" / f"{lang}.json").read_text("utf-8"))
    return found


def _translator(lang: str) -> Callable[..., str]:
    words = messages(lang)

    def t(key: str, **values: Any) -> str:
        return words[key].format(**values) if values else words[key]

    return t


def _name(lang: str) -> Callable[[dict[str, Any]], str]:
    def name(row: dict[str, Any]) -> str:
        # Reports frozen before names were kept in every language have the Finnish one only.
        names = row.get("names") or {}
        return str(names.get(lang) or names.get("fi") or row.get("name") or row.get("code"))

    return name


def _computed(data: dict[str, Any]) -> str:
    at = datetime.fromisoformat(data["computed_at"]).astimezone(HELSINKI)
    return f"{at.day}.{at.month}.{at.year} {at:%H:%M}"


def render(data: dict[str, Any], lang: Lang, *, pdf: bool = False, query: str = "") -> str:
    """The report as a page (or, with ``pdf``, the body the PDF is laid out from). ``query`` is
    the rest of the request's query string (a snapshot, say), kept in the language links."""
    keep = f"&{query}" if query else ""
    return _templates.get_template("yearly_report.html").render(
        data=data,
        lang=lang,
        pdf=pdf,
        t=_translator(lang),
        name=_name(lang),
        computed=_computed(data),
        languages=[(code, label, f"?lang={code}{keep}") for code, label in LANGUAGES.items()],
        pdf_href=f"?format=pdf&lang={lang}{keep}",
        # fpdf2 justifies table cells unless told otherwise; ragged text reads better there.
        left=Markup(' align="left"') if pdf else "",
    )


def to_pdf(data: dict[str, Any], lang: Lang, font_dir: Path = FONT_DIR) -> bytes:
    pdf = FPDF()
    # The same report gives the same file: the creation date is the time it was computed.
    pdf.set_creation_date(datetime.fromisoformat(data["computed_at"]))
    pdf.set_lang(lang)
    pdf.set_title(_translator(lang)("title", year=data["year"]))
    pdf.set_auto_page_break(auto=True, margin=15)
    for style, file in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(font_dir / file))
    pdf.add_page()
    pdf.set_font("DejaVu", size=9)
    pdf.write_html(render(data, lang, pdf=True), font_family="DejaVu", tag_styles=PDF_STYLES)
    return bytes(pdf.output())
