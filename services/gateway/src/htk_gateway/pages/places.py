"""Pages for every municipality, wellbeing services county and the whole country, and the map.

The figures, classes and shapes come from the reporting service (it owns places); these pages
name things in the reader's language and draw them: the map is server-side SVG, each region a
link with its name and figure, the same figures in a table beside it. The same data is
under /api/v1/places (JSON, or CSV/XLSX with ``format``), in api/places.py."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.pages.dashboard import line_chart
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.guards import (
    COORDINATOR_WRITE,
    Coordinator,
    Form,
    Reader,
)
from htk_gateway.web.listing import read_all
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.errors import DomainError
from htk_runtime.listing import MAX_LIMIT

router = APIRouter(include_in_schema=False)

HELSINKI = ZoneInfo("Europe/Helsinki")
LEVELS = ("municipality", "county")
MEASURES = ("actions", "per_10000", "gaps", "indicator")
# Sequential blues for counts (light to dark), grey for none; orange marks a gap. The numbers
# are in each region's name and in the table, so colour never carries them alone.
FILLS = {
    "c0": "#eeeeee",
    "c1": "#c6dbef",
    "c2": "#6baed6",
    "c3": "#2171b5",
    "c4": "#08306b",
    "no_data": "#ffffff",
    "gap": "#e66101",
    "covered": "#b2abd2",
}


# -- pages ------------------------------------------------------------------------------------


async def _fetch(request: Request, v: Viewer, path: str, params: dict[str, str]) -> Any:
    answer = await call(request, None, "reporting", "GET", path, params=params)
    if answer.status_code == 404:
        raise DomainError(404, v.t("places.not_found"))
    if answer.status_code == 422:
        message, errors = error_list(answer)
        detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors) or message
        raise DomainError(422, v.t("drill.invalid", message=detail))
    if answer.status_code != 200:
        raise DomainError(503, v.t("error.unavailable"))
    return answer.json()


def _number(v: Viewer, value: float | int | None) -> str:
    """A figure as the reader writes it (decimal comma in Finnish and Swedish)."""
    if value is None:
        return v.t("past.no_data")
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if v.lang in ("fi", "sv") else text
    return f"{value:,}".replace(",", "\u00a0")


@router.get("/places", response_class=HTMLResponse)
async def places_index(request: Request, v: Reader) -> Response:
    data = await _fetch(request, v, "/places", {})
    counties = [
        {
            **c,
            "label": v.t.name(c["names"]),
            "municipalities": sorted(
                ({**m, "label": v.t.name(m["names"])} for m in c["municipalities"]),
                key=lambda m: m["label"],
            ),
        }
        for c in data["counties"]
    ]
    counties.sort(key=lambda c: c["label"])
    return render(v, "places_index.html", counties=counties, data=data, number=_number)


def _actions(v: Viewer, listed: Any, orgs: dict[str, Any]) -> dict[str, Any] | None:
    if listed is None:
        return None
    return {
        "total": listed["total"],
        "rows": [
            {
                **a,
                "organisation": v.t.name(orgs.get(a["organisation_id"])) or a["organisation_id"],
                "confirmed_at": datetime.fromisoformat(a["confirmed_at"]).astimezone(HELSINKI),
            }
            for a in listed["rows"]
        ],
    }


async def _place_page(request: Request, v: Viewer, kind: str, code: str | None) -> Response:
    path = "/places/finland" if kind == "finland" else f"/places/{kind}/{code}"
    data = await _fetch(request, v, path, {})
    orgs = await reference.organisation_names(request)
    place = data["place"]
    series_rows = [
        {"period": s["period"], "actions": s["actions"], "organisations": None,
         "municipalities": None}
        for s in data["series"]
    ]  # fmt: skip
    indicators = [
        {
            **i,
            "label": v.t.name(i.get("title")),
            "by_year": {x["year"]: x["value"] for x in i.get("values", [])},
        }
        for i in data.get("indicators", [])
    ]
    chart = line_chart(series_rows)
    chart["lines"] = [line for line in chart["lines"] if line["key"] == "actions"]
    coverage = [{**row, "label": f"{row['code']} {v.t.name(row['names'])}"}
                for row in data["coverage"]]  # fmt: skip
    return render(
        v,
        "place.html",
        place=place,
        name=v.t.name(place["names"]),
        county_name=v.t.name((place.get("county") or {}).get("names")),
        totals=data["totals"],
        actions={k: _actions(v, listed, orgs) for k, listed in data["actions"].items()},
        organisations=[
            {
                **o,
                "label": v.t.name(orgs.get(o["organisation_id"])) or o["organisation_id"],
                "url": "/search?" + urlencode({"organisation": o["organisation_id"]}),
            }
            for o in data["organisations"]
        ],
        coverage=coverage,
        gaps=[{**g, "label": f"{g['code']} {v.t.name(g['names'])}"} for g in data["gaps"]],
        parts=sorted(
            ({**p, "label": v.t.name(p["names"])} for p in data["parts"]),
            key=lambda p: p["label"],
        ),
        compare_county=kind == "municipality",
        compare_country=kind != "finland",
        series_rows=series_rows,
        series_chart=chart,
        api_path="/api/v1" + path,
        own_url="/coverage/actions?" + urlencode({"node": "*", "scope": place["scope"]}),
        national_url="/coverage/actions?" + urlencode({"node": "*", "scope": "national"}),
        map_url="/places/map?"
        + urlencode({"level": "county" if kind != "municipality" else "municipality"}),
        indicators=indicators,
        indicator_years=sorted({y for i in indicators for y in i["by_year"]}),
        number=_number,
    )


@router.get("/places/finland", response_class=HTMLResponse)
async def finland_page(request: Request, v: Reader) -> Response:
    return await _place_page(request, v, "finland", None)


@router.get("/places/county/{code}", response_class=HTMLResponse)
async def county_page(code: str, request: Request, v: Reader) -> Response:
    return await _place_page(request, v, "county", code)


@router.get("/places/municipality/{code}", response_class=HTMLResponse)
async def municipality_page(code: str, request: Request, v: Reader) -> Response:
    return await _place_page(request, v, "municipality", code)


@router.get("/places/map", response_class=HTMLResponse)
async def map_page(request: Request, v: Reader) -> Response:
    q = request.query_params
    level = q.get("level") if q.get("level") in LEVELS else "municipality"
    measure = q.get("measure") if q.get("measure") in MEASURES else "actions"
    tree = await reference.plan(request)
    sub_goals = [
        n for n in reference.plan_nodes(tree).values()
        if n.get("level") == "sub_goal" and n.get("state", "active") == "active"
    ]  # fmt: skip
    node = q.get("node") or "*"
    if measure == "gaps" and node == "*" and sub_goals:
        node = sub_goals[0]["code"]
    params = {"level": str(level), "measure": str(measure), "node": node}
    # Colouring by need: one of the imported indicators (the first unless chosen); without any,
    # the page says so and colours by actions.
    # One page of the largest size holds every indicator the platform imports (tens).
    listed = await read(request, None, "reporting", "/indicators", params={"limit": MAX_LIMIT})
    listed = listed or {}
    indicators = [{**i, "label": v.t.name(i.get("title"))} for i in listed.get("items", [])]
    chosen = next((i for i in indicators if str(i["id"]) == q.get("indicator")), None)
    chosen = chosen or (indicators[0] if indicators else None)
    no_indicators = measure == "indicator" and chosen is None
    if measure == "indicator" and chosen is not None:
        params["indicator"] = str(chosen["id"])
    elif no_indicators:
        measure = params["measure"] = "actions"
    data = await _fetch(request, v, "/places/map", params)
    labels = {r["code"]: v.t.name(r["names"]) for r in data["rows"]}
    rows = []
    for r in data["rows"]:
        shown = (
            v.t("places.gap") if r["gap"] else v.t("places.covered")
        ) if measure == "gaps" else _number(v, r["value"])  # fmt: skip
        rows.append({**r, "label": labels[r["code"]], "shown": shown, "fill": FILLS[r["class"]]})
    by_code = {r["code"]: r for r in rows}
    regions = [
        {**region, "row": by_code[region["code"]]}
        for region in data["shapes"]["regions"]
        if region["code"] in by_code
    ]
    legend = []
    for key in data["legend"]:
        if "low" in key:
            text = (
                _number(v, key["high"]) if key["class"] == "c0"
                # Counts are whole: the class above 0..2 starts at 3, not at 2.
                else f"{_number(v, key['low'] + 1 if measure == 'actions' else key['low'])}"
                f"–{_number(v, key['high'])}"
            )  # fmt: skip
        else:
            text = v.t(f"places.{key['class']}")
        legend.append({"fill": FILLS[key["class"]], "text": text})
    if any(r["class"] == "no_data" for r in rows):  # an indicator the source leaves out there
        legend.append({"fill": FILLS["no_data"], "text": v.t("past.no_data")})
    node_label = v.t("coverage.whole_plan")
    nodes = reference.plan_nodes(tree)
    if node in nodes:
        node_label = f"{node} {v.t.name(nodes[node].get('name'))}"
    shown_indicator = data.get("indicator")
    if shown_indicator:
        node_label = f"{v.t.name(shown_indicator['title'])}, {shown_indicator['year']}"
    query = urlencode(params)
    return render(
        v,
        "places_map.html",
        indicators=indicators,
        chosen=chosen,
        shown_indicator=shown_indicator,
        indicator_title=v.t.name(shown_indicator["title"]) if shown_indicator else "",
        no_indicators=no_indicators,
        indicator_source=listed.get("source", ""),
        level=level,
        measure=measure,
        node=node,
        node_label=node_label,
        sub_goals=[{**n, "label": f"{n['code']} {v.t.name(n.get('name'))}"} for n in sub_goals],
        shapes=data["shapes"],
        regions=regions,
        rows=sorted(rows, key=lambda r: r["label"]),
        legend=legend,
        attribution=data["attribution"],
        population_year=data["population_year"],
        csv_url=f"/api/v1/places/map?{query}&format=csv&lang={v.lang}",
        xlsx_url=f"/api/v1/places/map?{query}&format=xlsx&lang={v.lang}",
        number=_number,
    )


# -- indicators: need next to activity ----------------------------------------------------------


def scatter(rows: list[dict[str, Any]], width: int = 640, height: int = 360) -> dict[str, Any]:
    """Geometry of a scatter of need (x, the indicator) against activity (y, actions per 10,000
    inhabitants): the same figures as the table beside it; places without either are left out
    of the chart (and say "no data" in the table)."""
    left, right, top, bottom = 56, 16, 12, 40
    points = [r for r in rows if r.get("value") is not None and r.get("per_10000") is not None]
    xs = [float(r["value"]) for r in points] or [0.0, 1.0]
    ys = [float(r["per_10000"]) for r in points] or [0.0]
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x1 = x0 + 1
    y1 = max([*ys, 0.1])
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(value: float) -> float:
        return round(left + (value - x0) / (x1 - x0) * plot_w, 1)

    def y(value: float) -> float:
        return round(top + plot_h - value / y1 * plot_h, 1)

    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": top + plot_h,
        "right": width - right,
        "top": top,
        "points": [
            {"x": x(float(r["value"])), "y": y(float(r["per_10000"])), "row": r} for r in points
        ],
        "x_ticks": [{"value": v, "x": x(v)} for v in (x0, (x0 + x1) / 2, x1)],
        "y_ticks": [{"value": v, "y": y(v)} for v in (0.0, y1 / 2, y1)],
    }


@router.get("/places/need", response_class=HTMLResponse)
async def need_page(request: Request, v: Reader) -> Response:
    q = request.query_params
    listed = await read_all(request, None, "reporting", "/indicators") or []
    indicators = [
        {**i, "label": v.t.name(i.get("title")), "example": bool(i.get("example"))} for i in listed
    ]
    tree = await reference.plan(request)
    nodes = reference.plan_nodes(tree)
    sub_goals = [
        {**n, "label": f"{n['code']} {v.t.name(n.get('name'))}"}
        for n in nodes.values()
        if n.get("level") == "sub_goal" and n.get("state", "active") == "active"
    ]
    level = q.get("level") if q.get("level") in LEVELS else "municipality"
    chosen = next((i for i in indicators if str(i["id"]) == q.get("indicator")), None)
    chosen = chosen or (indicators[0] if indicators else None)
    node = q.get("node") or ((chosen or {}).get("sub_goals") or ["*"])[0]
    data: dict[str, Any] | None = None
    rows: list[dict[str, Any]] = []
    if chosen is not None:
        params = {"indicator": str(chosen["id"]), "node": node, "level": str(level)}
        data = await _fetch(request, v, "/indicators/need", params)
        rows = [
            {**r, "rank": i, "label": v.t.name(r["names"]),
             "shown_value": _number(v, r["value"]), "shown_per": _number(v, r["per_10000"])}
            for i, r in enumerate(data["rows"], start=1)
        ]  # fmt: skip
    node_label = v.t("coverage.whole_plan")
    if node in nodes:
        node_label = f"{node} {v.t.name(nodes[node].get('name'))}"
    return render(
        v,
        "places_need.html",
        indicators=indicators,
        chosen=chosen,
        sub_goals=sub_goals,
        node=node,
        node_label=node_label,
        level=level,
        data=data,
        rows=rows,
        chart=scatter(rows),
        linked=q.get("linked") == "1",
        number=_number,
    )


@router.post("/places/need/link", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE])
async def link_indicator(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    """A coordinator ties an indicator to the sub-goals it concerns (the need page then opens
    the indicator with its first sub-goal chosen)."""
    indicator = str(form.get("indicator", "")).strip()
    if not indicator.isdigit():
        raise DomainError(422, v.t("drill.invalid", message="indicator"))
    picked = form.get("sub_goal", [])
    chosen = [str(c) for c in (picked if isinstance(picked, list) else [picked])]
    answer = await call(
        request,
        user,
        "reporting",
        "PUT",
        f"/indicators/{indicator}/sub-goals",
        json={"sub_goals": chosen},
    )
    if answer.status_code != 200:
        message, errors = error_list(answer)
        detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors) or message
        raise DomainError(answer.status_code if answer.status_code < 500 else 503,
                          v.t("drill.invalid", message=detail))  # fmt: skip
    return redirect(v, "/places/need?" + urlencode({"indicator": indicator, "linked": "1"}))
