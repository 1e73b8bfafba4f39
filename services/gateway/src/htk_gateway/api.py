"""The public JSON API under ``/api/v1``, routed to the services."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from htk_runtime.errors import DomainError

from htk_gateway.upstream import Upstreams

router = APIRouter(prefix="/api/v1")


def _upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.service.ctx().state["upstreams"]
    return upstreams


@router.post("/actions", tags=["actions"], status_code=201)
async def create_action(request: Request) -> Response:
    settings = request.app.state.service.settings
    if not settings.dev_open_writes:
        raise DomainError(
            403,
            "Writing actions needs login, which is not available yet. "
            "Developers can open writes with HTK_DEV_OPEN_WRITES=true.",
        )
    return await _upstreams(request).forward(
        "submissions",
        "POST",
        "/actions",
        content=await request.body(),
        headers={"content-type": request.headers.get("content-type", "application/json")},
    )


@router.get("/actions/{action_id}", tags=["actions"])
async def get_action(action_id: str, request: Request) -> Response:
    return await _upstreams(request).forward("submissions", "GET", f"/actions/{action_id}")


@router.get("/search", tags=["search"])
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=500)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Search published actions. Also takes ``sort``, ``cursor`` and the facet filters
    (priority, sub_goal, measure, county, municipality, organisation_type, organisation,
    target_group, inequality_dimension, state, year, language), passed on to the search service,
    which checks them."""
    return await _upstreams(request).forward(
        "search", "GET", "/search", params=list(request.query_params.multi_items())
    )


@router.get("/actions/{action_id}/similar", tags=["search"])
async def similar_actions(action_id: str, request: Request) -> Response:
    return await _upstreams(request).forward(
        "search",
        "GET",
        f"/actions/{action_id}/similar",
        params=list(request.query_params.multi_items()),
    )


@router.get("/suggest", tags=["search"])
async def suggest(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    return await _upstreams(request).forward(
        "search", "GET", "/suggest", params=list(request.query_params.multi_items())
    )


@router.get("/coverage", tags=["coverage"])
async def coverage(request: Request) -> Response:
    return await _upstreams(request).forward("reporting", "GET", "/coverage")


@router.get("/plan", tags=["plan"])
async def plan(request: Request) -> Response:
    return await _upstreams(request).forward("catalogue", "GET", "/plan")
