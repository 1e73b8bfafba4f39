"""Public pages: the front page, search, actions, organisations, the plan, coverage and open data.
They work without JavaScript and without signing in."""

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from htk_contracts.search import FACETS
from htk_gateway.pages.community_search import community_results
from htk_gateway.pages.discussion_view import discussion_context
from htk_gateway.pages.events import upcoming_events
from htk_gateway.pages.news import latest_news
from htk_gateway.pages.practices import highlighted_practices
from htk_gateway.web import reference
from htk_gateway.web.calls import read
from htk_gateway.web.deps import FollowsDep, follows
from htk_gateway.web.guards import (
    Reader,
)
from htk_gateway.web.render import STATIC, render
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

SEARCH_FACETS = FACETS
DOWNLOAD = re.compile(r"/open-data/([\w-]+)\.\{([\w,]+)\}")
FACET_MESSAGES = {
    "target_group": "target.",
    "inequality_dimension": "dimension.",
    "state": "state.",
    "organisation_type": "orgtype.",
    "language": "lang.",
    "good_practice": "goodpractice.",
}
STATIC_FILES = {"style.css": "text/css", "live.js": "text/javascript", "print.css": "text/css"}


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise DomainError(404, "No such file")
    return FileResponse(
        STATIC / name,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=300"},
    )


async def _following(request: Request, v: Any, kind: str, target: str) -> bool:
    if v.user is None:
        return False
    return await follows(request).is_following(v.user.member_id, kind, target)


@router.get("/", response_class=HTMLResponse)
async def front_page(request: Request, v: Reader) -> Response:
    coverage = await read(request, None, "reporting", "/coverage")
    totals = _total_row(coverage)
    recent = await read(request, None, "search", "/search", params={"sort": "date", "limit": 5})
    return render(
        v,
        "front.html",
        totals=totals,
        recent=(recent or {}).get("items", []),
        news=await latest_news(request, v.lang),
        events=await upcoming_events(request),
        practices=await highlighted_practices(request),
    )


def _total_row(coverage: Any) -> dict[str, Any] | None:
    if not isinstance(coverage, dict):
        return None
    for row in coverage.get("rows", []):
        if row.get("code") == "*":
            return dict(row)
    if "priorities" in coverage:  # the early reporting API: counts by priority only
        return {
            "actions": sum(p.get("actions", 0) for p in coverage["priorities"]),
            "organisations": "–",
            "municipalities": "–",
        }
    return None


def _facet_labeller(
    v: Any, nodes: dict[str, Any], places: dict[str, Any], orgs: dict[str, Any]
) -> Callable[[str, dict[str, Any]], str]:
    t = v.t

    def label(facet: str, item: dict[str, Any]) -> str:
        value = str(item.get("value", ""))
        if facet in ("priority", "sub_goal", "measure") and value in nodes:
            return f"{value} {t.name(nodes[value].get('name'))}"
        if facet in ("county", "municipality") and value in places:
            return t.name(places[value])
        if facet == "organisation" and value in orgs:
            return t.name(orgs[value])
        prefix = FACET_MESSAGES.get(facet)
        if prefix and t.has(prefix + value):
            return t(prefix + value)
        return str(item.get("label") or value)

    return label


# Facets listed whole: the 22 counties and the plan tree are short, and a place or sub-goal
# without actions is an answer in itself.
LISTED_WHOLE = frozenset({"county", "priority", "sub_goal", "measure"})
# Facets too long to list: the most frequent values, and a box to find any other by name.
FINDABLE = ("municipality", "organisation")
SHOWN_FIRST = 12
MAX_FOUND = 50


def _folded(text: str) -> str:
    """Lower case without accents, so that "hameenlinna" finds "Hämeenlinna"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if c.isalnum())


def _shown_values(
    facet: str,
    values: list[dict[str, Any]],
    chosen: list[str],
    find: str,
    label: Callable[[str, dict[str, Any]], str],
) -> list[dict[str, Any]]:
    """The values a facet lists: all of a short facet; for a long one the most frequent, or
    every value whose name contains the text looked for, and always the chosen ones."""
    if facet in LISTED_WHOLE:
        return values
    if find and facet in FINDABLE:
        wanted = _folded(find)
        found = [item for item in values if wanted in _folded(label(facet, item))]
        shown = found[:MAX_FOUND]
    else:
        shown = values[:SHOWN_FIRST]
    listed = {item["value"] for item in shown}
    return shown + [
        item for item in values if item["value"] in chosen and item["value"] not in listed
    ]


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    v: Reader,
    q: str = "",
    cursor: str | None = None,
    include_national: bool = False,
) -> Response:
    selected = {f: request.query_params.getlist(f) for f in SEARCH_FACETS}
    finds = {f: request.query_params.get(f"find_{f}", "")[:100].strip() for f in FINDABLE}
    params: list[tuple[str, str]] = [("q", q[:500]), ("limit", "20")]
    if cursor:
        params.append(("cursor", cursor))
    if include_national:
        params.append(("include_national", "true"))
    params += [(f, value) for f, values in selected.items() for value in values]
    error = None
    try:
        from htk_gateway.web.calls import call

        answer = await call(request, None, "search", "GET", "/search", params=params)
        result = answer.json() if answer.status_code == 200 else {}
        if answer.status_code != 200:
            error = v.t("error.search_refused")
    except DomainError:
        result, error = {}, v.t("error.unavailable")
    next_cursor = result.get("next_cursor")
    next_url = None
    if next_cursor:
        keep = [(k, val) for k, val in request.query_params.multi_items() if k != "cursor"]
        next_url = "/search?" + urlencode([*keep, ("cursor", next_cursor)])
    tree = await reference.plan(request)
    label = _facet_labeller(
        v,
        reference.plan_nodes(tree),
        await reference.place_names(request),
        await reference.organisation_names(request),
    )
    facets = {
        facet: _shown_values(facet, values, selected.get(facet, []), finds.get(facet, ""), label)
        for facet, values in result.get("facets", {}).items()
    }
    return render(
        v,
        "search.html",
        q=q,
        hits=result.get("items", []),
        total=result.get("total", 0),
        facets=facets,
        finds=finds,
        include_national=include_national,
        place_chosen=bool(selected.get("county") or selected.get("municipality")),
        selected=selected,
        next_url=next_url,
        error=error,
        facet_label=label,
        orgs=await reference.organisation_names(request),
        community=await community_results(request, v, q),
    )


@router.get("/actions/{action_id}", response_class=HTMLResponse)
async def action_page(
    action_id: str, request: Request, v: Reader, done: str | None = None
) -> Response:
    return await public_action_page(
        request, v, action_id, done=done if done and v.t.has(f"done.{done}") else None
    )


async def public_action_page(
    request: Request,
    v: Any,
    action_id: str,
    *,
    done: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    """The public version, whoever asks, with its partners and, for a member of another
    organisation, the way to ask to join it as a partner."""
    action = await read(request, None, "submissions", f"/actions/{action_id}")
    if not action or "title" not in action:
        raise DomainError(404, "No published action with this id")
    similar = await read(
        request, None, "search", f"/actions/{action_id}/similar", params={"limit": 5}
    )
    orgs = await reference.organisation_names(request)
    taken = {action["organisation_id"], *action.get("partner_organisation_ids", [])}
    return render(
        v,
        "action.html",
        status_code=status_code,
        action=action,
        org_name=v.t.name(orgs.get(action["organisation_id"])) or action["organisation_id"],
        orgs=orgs,
        partner_choices=[o for o in (v.user.organisations if v.user else {}) if o not in taken],
        done=done,
        message=message,
        plan_nodes=reference.plan_nodes(await reference.plan(request)),
        places=await reference.place_names(request),
        similar=(similar or {}).get("hits", []),
        following=await _following(request, v, "action", action_id),
        discussion=await discussion_context(
            request, v, "action", action_id, request.query_params.get("cursor")
        ),
    )


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
async def organisation_page(organisation_id: str, request: Request, v: Reader) -> Response:
    organisation = await read(request, None, "catalogue", f"/organisations/{organisation_id}")
    if not organisation:
        raise DomainError(404, "No such organisation")
    found = (
        await read(
            request,
            None,
            "search",
            "/search",
            params={"organisation": organisation_id, "sort": "date", "limit": 50},
        )
        or {}
    )
    return render(
        v,
        "organisation.html",
        organisation=organisation,
        hits=found.get("items", []),
        total=found.get("total", 0),
        places=await reference.place_names(request),
        following=await _following(request, v, "organisation", organisation_id),
    )


def _coverage_rows(coverage: Any) -> list[dict[str, Any]]:
    if not isinstance(coverage, dict):
        return []
    if "rows" in coverage:
        return list(coverage["rows"])
    return [
        {"code": p["priority"], "level": "priority", "actions": p.get("actions", 0)}
        for p in coverage.get("priorities", [])
    ]


@router.get("/plan", response_class=HTMLResponse)
async def plan_page(request: Request, v: Reader, follows: FollowsDep) -> Response:
    tree = await reference.plan(request)
    rows = _coverage_rows(await read(request, None, "reporting", "/coverage"))
    followed: set[str] = set()
    if v.user is not None:
        followed = await follows.targets(v.user.member_id, "measure")
    return render(
        v,
        "plan.html",
        plan=tree,
        nodes=reference.plan_nodes(tree),
        counts={r["code"]: r.get("actions", 0) for r in rows},
        pushes={r["code"]: r["needs_push"] for r in rows if r.get("needs_push")},
        followed=followed,
    )


async def coverage_context(request: Request, v: Any) -> dict[str, Any]:
    """Figures for the public coverage page and the coordinators' dashboard."""
    t = v.t
    nodes = reference.plan_nodes(await reference.plan(request))
    coverage = await read(request, None, "reporting", "/coverage")
    rows = _coverage_rows(coverage)

    def label(row: dict[str, Any]) -> str:
        code = row["code"]
        if code == "*":
            return t("coverage.whole_plan")
        if code == "retired":
            return t("coverage.retired")
        node = nodes.get(code)
        return f"{code} {t.name(node.get('name'))}" if node else code

    plan_rows = [{**r, "label": label(r)} for r in rows if r["code"] != "*"]
    for r in plan_rows:
        r.setdefault("organisations", "–")
        r.setdefault("needs_push", None)
    total = _total_row(coverage)
    places = (
        await read(request, None, "reporting", "/coverage/places", params={"level": "county"}) or {}
    )
    county_rows = [
        {
            **r,
            "label": t("coverage.national")
            if r["code"] == "national"
            else t.name((await reference.place_names(request)).get(r["code"]))
            or r.get("name", r["code"]),
        }
        for r in places.get("rows", [])
    ]
    county = request.query_params.get("county")
    municipality_rows: list[dict[str, Any]] = []
    county_name = ""
    if county and county.isdigit() and len(county) == 2:
        found = (
            await read(
                request,
                None,
                "reporting",
                "/coverage/places",
                params={"level": "municipality", "county": county},
            )
            or {}
        )
        names = await reference.place_names(request)
        municipality_rows = [
            {**r, "label": t.name(names.get(r["code"])) or r.get("name", r["code"])}
            for r in found.get("rows", [])
        ]
        county_name = t.name(names.get(county)) or county
    return {
        "unavailable": coverage is None,
        "total": total["actions"] if total else 0,
        "total_row": total or {},
        "plan_rows": plan_rows,
        "priority_rows": [r for r in plan_rows if r.get("level") == "priority"],
        "push_rows": [r for r in plan_rows if r.get("needs_push")],
        "county_rows": county_rows,
        "municipality_rows": municipality_rows,
        "county_name": county_name,
    }


@router.get("/coverage", response_class=HTMLResponse)
async def coverage_page(request: Request, v: Reader) -> Response:
    return render(v, "coverage.html", **await coverage_context(request, v))


@router.get("/open-data", response_class=HTMLResponse)
async def open_data_page(request: Request, v: Reader) -> Response:
    index = await read(request, None, "reporting", "/open-data") or {}
    files = []
    for entry in index.get("tables", []):
        found = DOWNLOAD.fullmatch(str(entry))
        if found:
            name = found.group(1)
            formats = found.group(2).split(",")
            files.append(
                {"name": name, "formats": {f: f"/api/v1/open-data/{name}.{f}" for f in formats}}
            )
    return render(v, "open_data.html", files=files, licence=index.get("licence", "CC BY 4.0"))


@router.get("/privacy", response_class=HTMLResponse)
async def privacy_page(v: Reader) -> Response:
    return render(v, "text_page.html", key="privacy", paragraphs=4)


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility_page(v: Reader) -> Response:
    return render(v, "text_page.html", key="accessibility", paragraphs=3)


def this_year() -> int:
    return datetime.now(UTC).year
