"""The public JSON API under ``/api/v1``, routed to the services."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from htk_gateway import csrf
from htk_gateway.clients import client_address
from htk_gateway.identity import current_user
from htk_gateway.live import live_streams
from htk_gateway.upstream import Upstreams
from htk_runtime.auth import HEADER, User, sign
from htk_runtime.errors import DomainError

router = APIRouter(prefix="/api/v1")


def _upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.service.ctx().state["upstreams"]
    return upstreams


async def _signed_user(request: Request) -> tuple[dict[str, str], User | None]:
    """The caller as a signed token for the services, or nothing for a visitor."""
    user = await current_user(request)
    if user is None:
        return {}, None
    settings = request.app.state.service.settings
    return {HEADER: sign(user, settings.token_private_key, settings.user_token_ttl_seconds)}, user


async def _to_submissions(request: Request, method: str, path: str, *, write: bool) -> Response:
    return await _to(request, "submissions", method, path, write=write)


async def _to(request: Request, service: str, method: str, path: str, *, write: bool) -> Response:
    headers = {
        name: request.headers[name]
        for name in ("content-type", "if-match", "idempotency-key")
        if name in request.headers
    }
    signed, user = await _signed_user(request)
    if write:
        if user is None:
            raise DomainError(401, "Sign in to do this")
        csrf.check(request, request.headers.get(csrf.HEADER))
        settings = request.app.state.service.settings
        who = user.member_id if user else client_address(request)
        limiter = request.app.state.service.ctx().state["rate_limiter"]
        await limiter.hit(f"write:{who}", settings.writes_per_minute, 60)
    return await _upstreams(request).forward(
        service,
        method,
        path,
        params=request.query_params,
        content=await request.body() if write else None,
        headers={**headers, **signed},
        pass_headers=("etag", "idempotent-replayed", "content-disposition"),
    )


@router.post("/actions", tags=["actions"], status_code=201)
async def create_action(request: Request) -> Response:
    return await _to_submissions(request, "POST", "/actions", write=True)


@router.get("/actions", tags=["actions"])
async def list_actions(request: Request) -> Response:
    return await _to_submissions(request, "GET", "/actions", write=False)


@router.get("/actions/{action_id}", tags=["actions"])
async def get_action(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/actions/{action_id}", write=False)


@router.put("/actions/{action_id}", tags=["actions"])
async def edit_action(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "PUT", f"/actions/{action_id}", write=True)


class Step(StrEnum):
    SUBMIT = "submit"
    PUBLISH = "publish"
    RETURN = "return"
    WITHDRAW = "withdraw"
    CONFIRM = "confirm"


@router.post("/actions/{action_id}/{step}", tags=["actions"])
async def action_step(action_id: str, step: Step, request: Request) -> Response:
    return await _to_submissions(request, "POST", f"/actions/{action_id}/{step.value}", write=True)


@router.get("/actions/{action_id}/history", tags=["actions"])
async def action_history(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/actions/{action_id}/history", write=False)


@router.get("/actions/{action_id}/diff", tags=["actions"])
async def action_diff(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/actions/{action_id}/diff", write=False)


@router.post("/imports", tags=["imports"])
async def import_actions(request: Request) -> Response:
    """Bulk import from CSV or XLSX (coordinators); ``dry_run=true`` only checks the rows."""
    return await _to_submissions(request, "POST", "/imports", write=True)


@router.get("/imports/template.{kind}", tags=["imports"])
async def import_template(kind: str, request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/imports/template.{kind}", write=False)


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
    return await _to(request, "reporting", "GET", "/coverage", write=False)


@router.get("/coverage/stream", tags=["coverage"])
async def coverage_stream(request: Request) -> Response:
    """Server-Sent Events: the live figures as actions are published. ``hello`` first, then
    ``coverage`` per change, and ``resync`` when the reader fell behind or the figures changed
    as a whole (read them again). 429 or 503 with Retry-After when too many streams are open
    from the caller's address or in all."""
    return live_streams(request).response(request, client_address(request))


@router.get("/coverage/{view}", tags=["coverage"])
async def coverage_view(view: str, request: Request) -> Response:
    """needs-push, places, freshness, series, at, actions; pipeline for coordinators."""
    return await _to(request, "reporting", "GET", f"/coverage/{view}", write=False)


@router.get("/exports", tags=["reports"])
async def exports(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/exports", write=False)


@router.get("/exports/{table}", tags=["reports"])
async def export_table(table: str, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/exports/{table}", write=False)


@router.get("/reports/yearly/{year}", tags=["reports"])
async def yearly_report(year: int, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/reports/yearly/{year}", write=False)


@router.get("/snapshots", tags=["reports"])
async def snapshots(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/snapshots", write=False)


@router.post("/snapshots", tags=["reports"], status_code=201)
async def freeze_snapshot(request: Request) -> Response:
    return await _to(request, "reporting", "POST", "/snapshots", write=True)


@router.get("/open-data", tags=["open data"])
async def open_data(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/open-data", write=False)


@router.get("/open-data/{name}", tags=["open data"])
async def open_data_file(name: str, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/open-data/{name}", write=False)


@router.get("/plan", tags=["plan"])
async def plan(request: Request) -> Response:
    return await _to(request, "catalogue", "GET", "/plan", write=False)


@router.get("/plan/versions", tags=["plan"])
async def plan_versions(request: Request) -> Response:
    return await _to(request, "catalogue", "GET", "/plan/versions", write=False)


@router.get("/organisations", tags=["organisations"])
async def organisations(request: Request) -> Response:
    return await _to(request, "catalogue", "GET", "/organisations", write=False)


@router.get("/organisations/{organisation_id}", tags=["organisations"])
async def organisation(organisation_id: str, request: Request) -> Response:
    return await _to(request, "catalogue", "GET", f"/organisations/{organisation_id}", write=False)


@router.get("/geography/{kind}", tags=["geography"])
async def geography(kind: str, request: Request) -> Response:
    return await _to(request, "catalogue", "GET", f"/geography/{kind}", write=False)
