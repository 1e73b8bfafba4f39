"""Public figures: coverage by plan node and place, freshness, time series, the actions behind a
figure, the state at a past date, and the live stream. No login needed."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from htk_reporting.context import Ctx
from htk_reporting.counting.past import check_date
from htk_reporting.counting.stream import sse
from htk_reporting.model.contribution import NO_DATA, cell_id
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.schemas import (
    ActionBehind,
    ActionsBehind,
    CoverageAt,
    CoverageTable,
    FreshnessTable,
    NeedsPush,
    PlaceCoverage,
    SeriesTable,
)
from htk_reporting.store import actions, aggregates
from htk_reporting.views import tables
from htk_reporting.views.figures import figures, scope_label
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.freshness import FRESH_MONTHS, STALE_MONTHS, Freshness, confirmed_span
from htk_runtime.freshness import freshness as of
from htk_runtime.keyset import position_of
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page_of

router = APIRouter(prefix="/coverage", tags=["coverage"])
HEARTBEAT_SECONDS = 15.0


def _params(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}


@router.get("", response_model=CoverageTable, responses=error_answers())
async def coverage(r: Ctx, scope: str = "all") -> dict[str, Any]:
    now = r.now()
    rows = await tables.coverage(r, _params(scope=scope), now)
    return {**r.meta(now), "scope": scope, "scope_name": scope_label(scope, r.geo), "rows": rows}


@router.get("/needs-push", response_model=NeedsPush, responses=error_answers())
async def needs_push(r: Ctx, scope: str = "all") -> dict[str, Any]:
    now = r.now()
    return {
        **r.meta(now),
        "scope": scope,
        "rows": await tables.needs_push(r, {"scope": scope}, now),
    }


@router.get("/places", response_model=PlaceCoverage, responses=error_answers())
async def places(
    r: Ctx,
    node: str = WHOLE_PLAN,
    level: Literal["county", "municipality"] = "county",
    county: str | None = None,
) -> dict[str, Any]:
    now = r.now()
    build = tables.counties if level == "county" else tables.municipalities
    rows = await build(r, _params(node=node, county=county), now)
    return {**r.meta(now), "node": node, "level": level, "rows": rows}


@router.get("/freshness", response_model=FreshnessTable, responses=error_answers())
async def freshness(
    r: Ctx,
    by: Literal["sub_goal", "county"] = "sub_goal",
    scope: str = "all",
    node: str = WHOLE_PLAN,
) -> dict[str, Any]:
    now = r.now()
    if by == "sub_goal":
        rows = await tables.freshness_sub_goals(r, {"scope": scope}, now)
    else:
        rows = await tables.freshness_counties(r, {"node": node}, now)
    return {
        **r.meta(now),
        "by": by,
        "fresh_months": FRESH_MONTHS,
        "stale_months": STALE_MONTHS,
        "rows": rows,
    }


@router.get("/series", response_model=SeriesTable, responses=error_answers())
async def series(
    r: Ctx,
    node: str = WHOLE_PLAN,
    scope: str = "all",
    period: Literal["weeks", "months"] = "months",
) -> dict[str, Any]:
    now = r.now()
    rows = await tables.PUBLIC[f"series-{period}"](r, {"node": node, "scope": scope}, now)
    return {**r.meta(now), "node": node, "scope": scope, "period": period, "rows": rows}


@router.get("/at", response_model=CoverageAt, responses=error_answers())
async def at_date(r: Ctx, date: date, scope: str = "all") -> dict[str, Any]:
    """The aggregates as they stood at the end of ``date``, recounted from the event log once
    per date and plan version (counting/past.py)."""
    r.check_scope(scope)
    end = check_date(date, r.settings.reporting_plan_start, r.now())
    rows = await r.past.rows(date, scope, r.plan, r.projection.org_types, r.geo)
    return {**r.meta(r.now()), "at": end.isoformat(), "scope": scope, "rows": rows}


FACETS = {
    "org_type": "org_type",
    "target_group": "public.target_groups",
    "dimension": "public.dimensions",
}


@router.get("/actions", responses=error_answers())
async def actions_behind(
    r: Ctx,
    node: str = WHOLE_PLAN,
    scope: str = "all",
    facet: Literal["org_type", "target_group", "dimension"] | None = None,
    value: str | None = None,
    freshness: Literal["fresh", "ageing", "stale"] | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ActionsBehind:
    """The published actions a figure counts, by id, with how many there are."""
    r.check_scope(scope)
    r.check_node(node)
    codes = sorted(r.plan.sources(node)) if node != WHOLE_PLAN else None
    field: str | None = None
    wanted: Any = None
    if facet:
        if not value:
            raise DomainError(422, "value is needed with facet", field="value")
        field = FACETS[facet]
        wanted = value if value != NO_DATA else (None if facet == "org_type" else [])
    now = r.now()
    confirmed = confirmed_span(Freshness(freshness), now) if freshness else None
    query = actions.behind(scope, codes, field, wanted, confirmed)
    total_found, found = await actions.page(r.db, query, limit, decode_cursor(cursor))
    page = page_of(found, limit, lambda a: position_of(a, actions.BY_ID))
    rows = [
        ActionBehind(
            action_id=a["_id"],
            version=a["public_version"],
            title=a["public"]["title"],
            organisation_id=a["public"]["organisation_id"],
            org_type=a.get("org_type") or NO_DATA,
            confirmed_at=a["public"]["confirmed_at"].isoformat(),
            freshness=of(a["public"]["confirmed_at"], now),
        )
        for a in page.items
    ]
    return ActionsBehind(
        **r.meta(now),
        node=node,
        scope=scope,
        total=total_found,
        items=rows,
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: hello, then coverage per change (dialogue when a "
            "discussion message is posted or removed)",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **error_answers(),
    },
)
async def stream(r: Ctx, request: Request) -> StreamingResponse:
    """Server-Sent Events: ``hello`` with the current totals, then ``coverage`` per change, and
    ``dialogue`` when a discussion message is posted or removed (no more than that is said)."""
    queue = r.projection.broadcaster.listen()
    stopping = request.app.state.service.ctx().stopping
    total = await aggregates.cell(r.db, await r.live(), cell_id(WHOLE_PLAN, "all"))

    async def events() -> AsyncIterator[str]:
        try:
            yield sse("hello", {**r.meta(r.now()), "total": figures(total, r.now())})
            while not stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    message = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                    yield sse(message.get("type", "coverage"), message)
                    continue
                if await request.is_disconnected():
                    return
                yield ": keep-alive\n\n"
        finally:
            r.projection.broadcaster.leave(queue)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
