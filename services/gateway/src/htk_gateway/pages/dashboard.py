"""The coordinators' dashboard and what opens from it: the actions behind any figure, the state
at a past date, the weekly and monthly trend, reporting-period snapshots and the yearly report.

Every figure comes from the reporting service; these pages only name things in the reader's
language and draw the charts (server-side SVG, each with the table of the same figures)."""

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.pages.dialogue_dashboard import dialogue_context
from htk_gateway.pages.public import coverage_context, this_year
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.guards import (
    COORDINATOR_WRITE,
    Coordinator,
    Form,
    Reader,
)
from htk_gateway.web.listing import read_all
from htk_gateway.web.render import SECURITY_HEADERS, redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

HELSINKI = ZoneInfo("Europe/Helsinki")
PER_PAGE = 50
FACET_MESSAGES = {"org_type": "orgtype.", "target_group": "target.", "dimension": "dimension."}
SERIES_KEYS = ("actions", "organisations", "municipalities")


def actions_url(node: str = "*", scope: str = "all", **extra: str) -> str:
    """The page listing the actions behind a figure (the same query the reporting API answers)."""
    return "/coverage/actions?" + urlencode({"node": node, "scope": scope, **extra})


async def _scope_label(request: Request, v: Viewer, scope: str) -> str:
    t = v.t
    if scope == "all":
        return t("drill.place_all")
    if scope == "national":
        return t("coverage.national")
    _, _, code = scope.partition(":")
    return t.name((await reference.place_names(request)).get(code)) or code


def _node_label(v: Viewer, nodes: dict[str, Any], code: str) -> str:
    if code == "*":
        return v.t("coverage.whole_plan")
    if code == "retired":
        return v.t("coverage.retired")
    node = nodes.get(code)
    return f"{code} {v.t.name(node.get('name'))}" if node else code


# -- the dashboard ----------------------------------------------------------------------------


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, v: Reader, user: Coordinator) -> Response:
    context = await coverage_context(request, v)
    pipeline = await read(request, user, "reporting", "/coverage/pipeline")
    series = (
        await read(request, None, "reporting", "/coverage/series", params={"period": "months"})
        or {}
    )
    exports = await read(request, user, "reporting", "/exports") or {}
    rows = _series_rows(series.get("rows", [])[-24:])
    year = this_year()
    return render(
        v,
        "dashboard.html",
        **context,
        **await dialogue_context(request, v, context),
        pipeline=_pipeline(pipeline),
        series_rows=rows,
        series_chart=line_chart(rows),
        export_tables=exports.get("tables", []),
        year=year,
        report_url=f"/reports/yearly/{year}?lang={v.lang}",
        report_pdf_url=f"/reports/yearly/{year}?format=pdf&lang={v.lang}",
    )


def _pipeline(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    return {k: data.get(k, 0) for k in ("draft", "submitted", "returned")}


def _series_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "period": r.get("period", ""),
            "actions": int(r.get("actions") or 0),
            "organisations": r.get("organisations"),
            "municipalities": r.get("municipalities"),
        }
        for r in rows
    ]


def line_chart(rows: list[dict[str, Any]], width: int = 640, height: int = 240) -> dict[str, Any]:
    """Geometry of a line chart of actions, organisations and municipalities per period. Each
    line has its own dash pattern and marker shape, so colour never carries the meaning alone;
    a period without data ("no data") breaks the line instead of dropping it to zero."""
    left, right, top, bottom = 48, 12, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [r[k] for r in rows for k in SERIES_KEYS if isinstance(r.get(k), int)]
    peak = max([*values, 1])
    step = plot_w / max(len(rows) - 1, 1)

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(value: int) -> float:
        return round(top + plot_h - value / peak * plot_h, 1)

    lines = []
    for key in SERIES_KEYS:
        segments: list[list[tuple[float, float]]] = [[]]
        for i, r in enumerate(rows):
            value = r.get(key)
            if isinstance(value, int):
                segments[-1].append((x(i), y(value)))
            elif segments[-1]:
                segments.append([])
        points = [" ".join(f"{a},{b}" for a, b in s) for s in segments if s]
        markers = [p for s in segments for p in s]
        lines.append({"key": key, "segments": points, "markers": markers})
    labels = sorted({0, len(rows) // 2, len(rows) - 1}) if rows else []
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "ticks": [{"value": v, "y": y(v)} for v in sorted({0, peak // 2, peak})],
        "periods": [{"label": rows[i]["period"], "x": x(i)} for i in labels],
        "left": left,
        "bottom": top + plot_h,
        "right": width - right,
    }


# -- the actions behind a figure ----------------------------------------------------------------


@router.get("/coverage/actions", response_class=HTMLResponse)
async def actions_behind(request: Request, v: Reader) -> Response:
    """Public, like the figures: the published actions a count is made of, with the count."""
    q = request.query_params
    node, scope = q.get("node") or "*", q.get("scope") or "all"
    try:
        # Only to say "page 2 of 5": the reporting service pages by cursor.
        page = max(1, min(int(q.get("page") or 1), 10_000))
    except ValueError:
        page = 1
    params: dict[str, Any] = {"node": node, "scope": scope}
    for name in ("facet", "value", "freshness"):
        if q.get(name):
            params[name] = q[name]
    keep = {k: str(val) for k, val in params.items()}
    params["limit"] = PER_PAGE
    if q.get("cursor"):
        params["cursor"] = q["cursor"]
    answer = await call(request, None, "reporting", "GET", "/coverage/actions", params=params)
    if answer.status_code == 422:
        message, errors = error_list(answer)
        detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors) or message
        raise DomainError(422, v.t("drill.invalid", message=detail))
    if answer.status_code != 200:
        raise DomainError(503, v.t("error.unavailable"))
    found = answer.json()
    nodes = reference.plan_nodes(await reference.plan(request))
    orgs = await reference.organisation_names(request)
    total = int(found.get("total", 0))
    pages = max(1, -(-total // PER_PAGE))
    facet = q.get("facet")
    facet_label = None
    if facet and q.get("value"):
        value = q["value"]
        key = FACET_MESSAGES.get(facet, "") + value
        facet_label = v.t(key) if v.t.has(key) else value
    search_url = None
    level = (nodes.get(node) or {}).get("level")
    if level in ("priority", "sub_goal", "measure"):
        search_url = "/search?" + urlencode({level: node})
    return render(
        v,
        "coverage_actions.html",
        node_label=_node_label(v, nodes, node),
        scope_label=await _scope_label(request, v, scope),
        facet_label=facet_label,
        freshness=q.get("freshness"),
        total=total,
        rows=[
            {
                **r,
                "organisation": v.t.name(orgs.get(r["organisation_id"])) or r["organisation_id"],
                "confirmed_at": datetime.fromisoformat(r["confirmed_at"]).astimezone(HELSINKI),
            }
            for r in found.get("items", [])
        ],
        page=page,
        pages=pages,
        # A cursor leads forward only; back to the start, or the browser's back.
        previous_url=actions_url(**keep) if page > 1 else None,
        next_url=(
            actions_url(**keep, cursor=found["next_cursor"], page=str(page + 1))
            if found.get("next_cursor")
            else None
        ),
        search_url=search_url,
        place_filtered=scope != "all",
    )


# -- the past and the trend ---------------------------------------------------------------------


@router.get("/dashboard/history", response_class=HTMLResponse)
async def history(
    request: Request,
    v: Reader,
    user: Coordinator,
    at: str | None = None,
    period: str = "months",
    scope: str = "all",
) -> Response:
    period = period if period in ("weeks", "months") else "months"
    counties = await reference.counties(request)
    scopes = [
        ("all", v.t("drill.place_all")),
        ("national", v.t("coverage.national")),
        *((f"county:{c['code']}", v.t.name(c)) for c in counties),
    ]
    # An area not offered falls back to the whole country rather than failing the page.
    scope = scope if scope in dict(scopes) else "all"
    series = (
        await read(
            request,
            user,
            "reporting",
            "/coverage/series",
            params={"period": period, "scope": scope},
        )
        or {}
    )
    rows = _series_rows(series.get("rows", [])[-52:])
    past: dict[str, Any] | None = None
    error = None
    if at:
        try:
            day = date.fromisoformat(at)
        except ValueError:
            day = None
        answer = None
        if day is not None:
            answer = await call(
                request,
                user,
                "reporting",
                "GET",
                "/coverage/at",
                params={"date": day.isoformat(), "scope": scope},
            )
        if answer is None or answer.status_code != 200:
            error = v.t("past.date_invalid")
        else:
            past = await _past_rows(request, v, answer.json(), day, scope)
    return render(
        v,
        "dashboard_history.html",
        scopes=scopes,
        scope=scope,
        scope_label=dict(scopes)[scope],
        at=at or "",
        past=past,
        error=error,
        period=period,
        series_rows=rows,
        series_chart=line_chart(rows),
    )


async def _past_rows(
    request: Request, v: Viewer, data: dict[str, Any], day: date | None, scope: str
) -> dict[str, Any]:
    now = await read(request, None, "reporting", "/coverage", params={"scope": scope}) or {}
    live = {r["code"]: r.get("actions", 0) for r in now.get("rows", [])}
    nodes = reference.plan_nodes(await reference.plan(request))
    rows = [
        {
            "code": r["code"],
            "level": r.get("level"),
            "label": _node_label(v, nodes, r["code"]),
            "then": r.get("actions", 0),
            "now": live.get(r["code"], 0),
            "change": live.get(r["code"], 0) - r.get("actions", 0),
        }
        for r in data.get("rows", [])
    ]
    total = next((r["then"] for r in rows if r["code"] == "*"), 0)
    return {
        "date": day,
        "total": total,
        "rows": [r for r in rows if r["code"] != "*"],
    }


# -- snapshots ----------------------------------------------------------------------------------


async def _snapshots_page(
    request: Request, v: Viewer, user: User, status: int = 200, **extra: Any
) -> Response:
    snapshots = await read_all(request, user, "reporting", "/snapshots") or []
    q = request.query_params
    first, second = q.get("first"), q.get("second")
    comparison = None
    if first and second:
        comparison = await _compare(request, v, user, snapshots, first, second)
    return render(
        v,
        "snapshots.html",
        status_code=status,
        snapshots=[
            {**s, "frozen_local": datetime.fromisoformat(s["frozen_at"]).astimezone(HELSINKI)}
            for s in snapshots
        ],
        year=this_year(),
        first=first or "",
        second=second or "live",
        comparison=comparison,
        **extra,
    )


async def _coverage_of(
    request: Request, v: Viewer, user: User, which: str
) -> tuple[dict[str, int], str] | None:
    if which == "live":
        found = await read(request, None, "reporting", "/coverage")
        label = v.t("snap.live")
    else:
        found = await read(request, user, "reporting", f"/snapshots/{which}/coverage")
        label = (found or {}).get("label") or which
    if not isinstance(found, dict):
        return None
    return {r["code"]: int(r.get("actions", 0)) for r in found.get("rows", [])}, label


async def _compare(
    request: Request,
    v: Viewer,
    user: User,
    snapshots: list[dict[str, Any]],
    first: str,
    second: str,
) -> dict[str, Any] | None:
    known = {s["snapshot_id"] for s in snapshots} | {"live"}
    if first not in known or second not in known:
        return None
    a, b = await _coverage_of(request, v, user, first), await _coverage_of(request, v, user, second)
    if a is None or b is None:
        return None
    nodes = reference.plan_nodes(await reference.plan(request))
    codes = list(dict.fromkeys([*a[0], *b[0]]))
    return {
        "first": a[1],
        "second": b[1],
        "rows": [
            {
                "code": c,
                "label": _node_label(v, nodes, c),
                "level": (nodes.get(c) or {}).get("level", "plan" if c == "*" else ""),
                "first": a[0].get(c, 0),
                "second": b[0].get(c, 0),
                "change": b[0].get(c, 0) - a[0].get(c, 0),
            }
            for c in codes
        ],
    }


@router.get("/dashboard/snapshots", response_class=HTMLResponse)
async def snapshots_page(
    request: Request, v: Reader, user: Coordinator, done: str | None = None
) -> Response:
    return await _snapshots_page(request, v, user, made=done == "snapshot")


@router.post("/dashboard/snapshots", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE])
async def make_snapshot(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    try:
        year = int(str(form.get("year", "")).strip())
    except ValueError:
        year = 0
    label = str(form.get("label", "")).strip()
    answer = await call(
        request, user, "reporting", "POST", "/snapshots", json={"year": year, "label": label}
    )
    if answer.status_code != 201:
        message, errors = error_list(answer)
        detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors) or message
        return await _snapshots_page(
            request, v, user, status=422, error=v.t("snap.failed", message=detail)
        )
    return redirect(v, "/dashboard/snapshots?done=snapshot")


# -- the yearly report ---------------------------------------------------------------------------


@router.get("/reports/yearly/{year}")
async def yearly_report(year: int, request: Request, v: Reader) -> Response:
    """The report page or PDF in the reader's language (or the one asked for with ``lang``)."""
    q = request.query_params
    params = {k: q[k] for k in ("format", "snapshot", "plan_version") if q.get(k)}
    params["lang"] = v.lang
    if params.get("format") not in ("html", "pdf"):
        params["format"] = "html"
    answer = await call(request, None, "reporting", "GET", f"/reports/yearly/{year}", params=params)
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code if answer.status_code < 500 else 503, message)
    headers = dict(SECURITY_HEADERS)
    if "content-disposition" in answer.headers:
        headers["Content-Disposition"] = answer.headers["content-disposition"]
    return Response(answer.content, media_type=answer.headers.get("content-type"), headers=headers)
