"""The public JSON API under ``/api/v1``, routed to the services."""

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from htk_gateway.api import schemas as s
from htk_gateway.api.contract import relayed
from htk_gateway.api_tokens.caller import Caller, api_caller
from htk_gateway.auth import csrf
from htk_gateway.web.calls import user_headers
from htk_gateway.web.client_address import client_address
from htk_gateway.web.deps import (
    RateLimiterDep,
    SettingsDep,
    gateway_settings,
    live_streams,
    rate_limiter,
    upstreams,
)
from htk_runtime.auth import User
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.listing import Cursor, Limit, Page

# Every route works out its caller first, so that a revoked, expired or unknown API token gets
# its 401 even on routes that visitors may call.
router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_caller)])


async def _api_write(
    caller: Caller, settings: SettingsDep, limiter: RateLimiterDep, request: Request
) -> None:
    """The guard of every write: a caller (401 for a visitor), the CSRF token when the
    caller is a session (a token is not ambient authority), a token that may write, and the
    caller's write limit."""
    user = caller.user
    if user is None:
        raise DomainError(401, "Sign in to do this")
    if not caller.by_token:
        csrf.check(request, request.headers.get(csrf.HEADER))
    elif user.read_only:
        raise DomainError(
            403,
            "This API token may only read; an admin of the organisation can make one that writes",
            field="Authorization",
        )
    await limiter.hit(f"write:{user.member_id}", settings.writes_per_minute, 60)
    request.state.api_write_checked = True


async def _link_write(request: Request, settings: SettingsDep, limiter: RateLimiterDep) -> None:
    """A write whose permission is a token in its body (a reminder's link): no session is
    needed, but a request carrying the site's cookies still needs the CSRF token, and the
    address's write limit applies."""
    csrf.check(request, request.headers.get(csrf.HEADER))
    await limiter.hit(f"write:{client_address(request)}", settings.writes_per_minute, 60)


API_WRITE = Depends(_api_write)
LINK_WRITE = Depends(_link_write)


async def _signed_user(request: Request, service: str) -> tuple[dict[str, str], User | None]:
    """The caller (a session's member or an organisation's API token) as a token for
    ``service``, or nothing for a visitor."""
    user = (await api_caller(request)).user
    return user_headers(request, user, service), user


async def _to_submissions(request: Request, method: str, path: str, *, write: bool) -> Response:
    return await _to(request, "submissions", method, path, write=write)


async def _to(
    request: Request,
    service: str,
    method: str,
    path: str,
    *,
    write: bool,
    params: Any = None,
) -> Response:
    headers = {
        name: request.headers[name]
        for name in ("content-type", "if-match", "idempotency-key")
        if name in request.headers
    }
    """The request forwarded as the caller; a write's route is guarded by ``API_WRITE``."""
    if write and not getattr(request.state, "api_write_checked", False):
        # Fail closed: a write route that forgot its guard forwards nothing.
        raise RuntimeError(f"{request.url.path} forwards a write without API_WRITE")
    signed, _ = await _signed_user(request, service)
    return await upstreams(request).forward(
        service,
        method,
        path,
        params=request.query_params if params is None else params,
        content=await request.body() if write else None,
        headers={**headers, **signed},
        pass_headers=("etag", "idempotent-replayed", "content-disposition"),
    )


# Reads that may recount the whole event log (reporting caches them per date, but each new date
# costs seconds of CPU): limited per caller like writes.
EXPENSIVE_READS = frozenset({"at"})


async def _limit_expensive(request: Request) -> None:
    user = (await api_caller(request)).user
    who = user.member_id if user else client_address(request)
    settings = gateway_settings(request)
    await rate_limiter(request).hit(f"expensive:{who}", settings.expensive_reads_per_minute, 60)


# Who may do what: 401 without a caller, 403 for a caller outside the organisation, 404 for
# an action the caller may not know of, 409/412 for a stale or missing If-Match.
READ = (401, 403, 404)
WRITE = (401, 403, 404, 409, 412, 429)


# The gateway declares a list's limit and cursor itself (validated here, documented once).
LIST_PARAMETERS = ("limit", "cursor")


async def _list(request: Request, service: str, path: str) -> Response:
    """A list relayed as the service answers it: every service lists in the one envelope
    (htk_runtime.listing), so its limit, cursor and filters pass as they are."""
    params = list(request.query_params.multi_items())
    return await _to(request, service, "GET", path, write=False, params=params)


@router.post(
    "/actions",
    tags=["actions"],
    status_code=201,
    **relayed("submissions", "/actions", model=s.Action, errors=(401, 403, 409, 429)),
    dependencies=[API_WRITE],
)
async def create_action(request: Request) -> Response:
    return await _to_submissions(request, "POST", "/actions", write=True)


@router.get(
    "/actions",
    tags=["actions"],
    **relayed(
        "submissions", "/actions", model=s.ActionPage, errors=(401, 403), omit=LIST_PARAMETERS
    ),
)
async def list_actions(request: Request, limit: Limit = 50, cursor: Cursor = None) -> Response:
    """Actions of the caller's organisations, by id; coordinators see all of them."""
    return await _list(request, "submissions", "/actions")


@router.get(
    "/actions/{action_id}",
    tags=["actions"],
    **relayed("submissions", "/actions/{action_id}", model=s.Action, errors=READ),
)
async def get_action(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/actions/{action_id}", write=False)


@router.put(
    "/actions/{action_id}",
    tags=["actions"],
    **relayed("submissions", "/actions/{action_id}", model=s.Action, errors=WRITE),
    dependencies=[API_WRITE],
)
async def edit_action(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "PUT", f"/actions/{action_id}", write=True)


# Declared before the workflow steps' "/actions/{action_id}/{step}", which would take them.
@router.post(
    "/actions/{action_id}/partners",
    tags=["actions"],
    status_code=202,
    **relayed(
        "submissions",
        "/actions/{action_id}/partners",
        model=s.PartnerRequestAnswer,
        errors=(*WRITE, 409),
    ),
    dependencies=[API_WRITE],
)
async def ask_to_join(action_id: str, request: Request) -> Response:
    """Ask, for one of your organisations, to join a published action as a partner."""
    return await _to_submissions(request, "POST", f"/actions/{action_id}/partners", write=True)


class PartnerDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@router.post(
    "/actions/{action_id}/partners/{organisation_id}/{decision}",
    tags=["actions"],
    **relayed(
        "submissions",
        "/actions/{action_id}/partners/{organisation_id}/{decision}",
        model=s.Action,
        errors=WRITE,
    ),
    dependencies=[API_WRITE],
)
async def decide_partner(
    action_id: str, organisation_id: str, decision: PartnerDecision, request: Request
) -> Response:
    """The owner's admins approve or reject a request to join (``If-Match`` required)."""
    return await _to_submissions(
        request,
        "POST",
        f"/actions/{action_id}/partners/{organisation_id}/{decision.value}",
        write=True,
    )


@router.get(
    "/actions/{action_id}/possible-duplicates",
    tags=["actions"],
    **relayed(
        "submissions",
        "/actions/{action_id}/possible-duplicates",
        model=s.PossibleDuplicates,
        errors=READ,
    ),
)
async def possible_duplicates(action_id: str, request: Request) -> Response:
    return await _to_submissions(
        request, "GET", f"/actions/{action_id}/possible-duplicates", write=False
    )


@router.post(
    "/actions/{action_id}/confirm-by-link",
    tags=["actions"],
    **relayed(
        "submissions",
        "/actions/{action_id}/confirm-by-link",
        model=s.LinkConfirmationAnswer,
        errors=(403, 404, 429),
    ),
    dependencies=[LINK_WRITE],
)
async def confirm_by_link(action_id: str, request: Request) -> Response:
    """One-click confirmation with the token of a reminder mail; no session needed, the token
    is the permission. A request carrying the site's cookies still needs the CSRF token."""
    return await upstreams(request).forward(
        "submissions",
        "POST",
        f"/actions/{action_id}/confirm-by-link",
        content=await request.body(),
        headers={"content-type": request.headers.get("content-type", "application/json")},
    )


class Step(StrEnum):
    SUBMIT = "submit"
    PUBLISH = "publish"
    RETURN = "return"
    WITHDRAW = "withdraw"
    CONFIRM = "confirm"


@router.post(
    "/actions/{action_id}/{step}",
    tags=["actions"],
    **relayed("submissions", "/actions/{action_id}/{step}", model=s.Action, errors=WRITE),
    dependencies=[API_WRITE],
)
async def action_step(
    action_id: str,
    step: Annotated[Step, Path(description="submit, publish, return, withdraw or confirm")],
    request: Request,
) -> Response:
    """A workflow step (``If-Match`` required). Publish and return are for coordinators;
    return needs a comment."""
    return await _to_submissions(request, "POST", f"/actions/{action_id}/{step.value}", write=True)


@router.get(
    "/actions/{action_id}/history",
    tags=["actions"],
    **relayed("submissions", "/actions/{action_id}/history", model=s.ActionHistory, errors=READ),
)
async def action_history(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/actions/{action_id}/history", write=False)


@router.get(
    "/actions/{action_id}/diff",
    tags=["actions"],
    **relayed("submissions", "/actions/{action_id}/diff", model=s.ActionDiff, errors=READ),
)
async def action_diff(action_id: str, request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/actions/{action_id}/diff", write=False)


@router.post(
    "/imports",
    tags=["imports"],
    **relayed("submissions", "/imports", model=s.ImportReport, errors=(401, 403, 413, 429)),
    dependencies=[API_WRITE],
)
async def import_actions(request: Request) -> Response:
    """Bulk import from CSV or XLSX (coordinators); ``dry_run=true`` only checks the rows."""
    return await _to_submissions(request, "POST", "/imports", write=True)


@router.get(
    "/imports/template.{kind}",
    tags=["imports"],
    **relayed(
        "submissions",
        "/imports/template.{kind}",
        files=s.file_answer(*s.SPREADSHEET, description="An empty import file with its columns"),
    ),
)
async def import_template(kind: Literal["csv", "xlsx"], request: Request) -> Response:
    return await _to_submissions(request, "GET", f"/imports/template.{kind}", write=False)


@router.get("/search", tags=["search"], **relayed("search", "/search", model=s.SearchAnswer))
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=500)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Search published actions. Also takes ``sort``, ``cursor`` and the facet filters
    (priority, sub_goal, measure, county, municipality, organisation_type, organisation,
    target_group, inequality_dimension, state, year, language, good_practice=yes: actions
    the coordinators highlight as good practices) and ``include_national`` (a
    county or municipality filter also finds national actions), passed on to the search
    service, which checks them and refuses unknown parameters by name."""
    return await upstreams(request).forward(
        "search", "GET", "/search", params=list(request.query_params.multi_items())
    )


@router.get(
    "/search/community",
    tags=["search"],
    **relayed("search", "/search/community", model=s.CommunitySearchAnswer),
)
async def search_community(
    request: Request, q: Annotated[str, Query(max_length=500)] = ""
) -> Response:
    """Search published news and announced events, their own result type beside the actions.
    Also takes ``type`` (news or event) and ``limit``, passed on to the search service."""
    return await upstreams(request).forward(
        "search", "GET", "/search/community", params=list(request.query_params.multi_items())
    )


@router.get(
    "/actions/{action_id}/similar",
    tags=["search"],
    **relayed("search", "/actions/{action_id}/similar", model=s.SimilarAnswer, errors=(404,)),
)
async def similar_actions(action_id: str, request: Request) -> Response:
    return await upstreams(request).forward(
        "search",
        "GET",
        f"/actions/{action_id}/similar",
        params=list(request.query_params.multi_items()),
    )


@router.get("/suggest", tags=["search"], **relayed("search", "/suggest", model=s.Suggestions))
async def suggest(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    return await upstreams(request).forward(
        "search", "GET", "/suggest", params=list(request.query_params.multi_items())
    )


@router.get(
    "/coverage", tags=["coverage"], **relayed("reporting", "/coverage", model=s.CoverageRows)
)
async def coverage(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/coverage", write=False)


@router.get(
    "/coverage/stream",
    tags=["coverage"],
    response_class=Response,
    responses={
        **error_answers(429),
        **s.file_answer("text/event-stream", description="The live figures as events"),
    },
)
async def coverage_stream(request: Request) -> Response:
    """Server-Sent Events: the live figures as actions are published. ``hello`` first, then
    ``coverage`` per change, ``dialogue`` when a discussion message is posted or removed (the
    dialogue figures changed; nothing of the message is sent), and ``resync`` when the reader
    fell behind or the figures changed as a whole (read them again). 429 or 503 with
    Retry-After when too many streams are open from the caller's address or in all."""
    return live_streams(request).response(request, client_address(request))


# One route per view, each with its own answer; pipeline is for coordinators.
COVERAGE_VIEWS: dict[str, tuple[type[BaseModel], tuple[int, ...], str]] = {
    "needs-push": (s.CoverageRows, (), "Plan nodes without (enough) actions"),
    "places": (s.CoveragePlaces, (), "Coverage by county or municipality"),
    "freshness": (s.CoverageFreshness, (), "How recently actions were confirmed"),
    "series": (s.CoverageSeries, (), "Coverage over time"),
    "at": (s.CoverageAt, (429,), "Coverage as it was on a past date"),
    "actions": (s.CoverageActions, (), "The actions behind a figure"),
    "pipeline": (s.Pipeline, (401, 403), "The review queue in numbers (coordinators)"),
}


def _coverage_view(view: str) -> Callable[[Request], Awaitable[Response]]:
    async def coverage_view(request: Request) -> Response:
        if view in EXPENSIVE_READS:
            await _limit_expensive(request)
        return await _to(request, "reporting", "GET", f"/coverage/{view}", write=False)

    return coverage_view


for _view, (_model, _errors, _summary) in COVERAGE_VIEWS.items():
    router.add_api_route(
        f"/coverage/{_view}",
        _coverage_view(_view),
        methods=["GET"],
        name=f"coverage_{_view.replace('-', '_')}",
        summary=_summary,
        tags=["coverage"],
        **relayed("reporting", f"/coverage/{_view}", model=_model, errors=_errors),
    )


@router.get(
    "/dialogue",
    tags=["reports"],
    **relayed("reporting", "/dialogue", model=s.DialogueAnswer, errors=(401, 403)),
)
async def dialogue(request: Request) -> Response:
    """Where dialogue is active: threads and messages per sub-goal, county and month, as the
    coordinators' dashboard shows them (coordinators)."""
    return await _to(request, "reporting", "GET", "/dialogue", write=False)


@router.get(
    "/exports",
    tags=["reports"],
    **relayed("reporting", "/exports", model=s.ExportList, errors=(401, 403)),
)
async def exports(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/exports", write=False)


@router.get(
    "/exports/{table}",
    tags=["reports"],
    **relayed(
        "reporting",
        "/exports/{table}.{fmt}",
        errors=(401, 403, 404),
        files=s.file_answer(*s.SPREADSHEET, description="The table as CSV or XLSX"),
    ),
)
async def export_table(
    table: Annotated[str, Path(description="A table of GET /exports and its format: coverage.csv")],
    request: Request,
) -> Response:
    return await _to(request, "reporting", "GET", f"/exports/{table}", write=False)


@router.get(
    "/reports/yearly/{year}",
    tags=["reports"],
    **relayed(
        "reporting",
        "/reports/yearly/{year}",
        errors=(404,),
        files=s.file_answer(
            "application/json", "text/html", "application/pdf", description="The yearly report"
        ),
    ),
)
async def yearly_report(year: int, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/reports/yearly/{year}", write=False)


@router.get(
    "/snapshots",
    tags=["reports"],
    **relayed(
        "reporting",
        "/snapshots",
        model=Page[s.Snapshot],
        errors=(401, 403),
        omit=LIST_PARAMETERS,
    ),
)
async def snapshots(request: Request, limit: Limit = 50, cursor: Cursor = None) -> Response:
    """Frozen copies of the figures, newest first."""
    return await _list(request, "reporting", "/snapshots")


@router.post(
    "/snapshots",
    tags=["reports"],
    status_code=201,
    **relayed("reporting", "/snapshots", model=s.Snapshot, errors=(401, 403, 409, 429)),
    dependencies=[API_WRITE],
)
async def freeze_snapshot(request: Request) -> Response:
    return await _to(request, "reporting", "POST", "/snapshots", write=True)


@router.get(
    "/open-data", tags=["open data"], **relayed("reporting", "/open-data", model=s.OpenDataIndex)
)
async def open_data(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/open-data", write=False)


@router.get(
    "/open-data/{name}",
    tags=["open data"],
    **relayed(
        "reporting",
        "/open-data/actions.json",
        "/open-data/{table}.{fmt}",
        errors=(404,),
        files=s.file_answer(
            "application/json",
            *s.SPREADSHEET,
            description="A table of GET /open-data: actions.json is JSON, others CSV or XLSX",
        ),
    ),
)
async def open_data_file(
    name: Annotated[str, Path(description="A file of GET /open-data, e.g. coverage.csv")],
    request: Request,
) -> Response:
    return await _to(request, "reporting", "GET", f"/open-data/{name}", write=False)


@router.get(
    "/plan", tags=["plan"], **relayed("catalogue", "/plan", model=s.PlanTree, errors=(404,))
)
async def plan(request: Request) -> Response:
    return await _to(request, "catalogue", "GET", "/plan", write=False)


@router.get(
    "/plan/versions",
    tags=["plan"],
    **relayed("catalogue", "/plan/versions", model=Page[s.PlanVersion], omit=LIST_PARAMETERS),
)
async def plan_versions(request: Request, limit: Limit = 50, cursor: Cursor = None) -> Response:
    """Every version of the plan, newest first."""
    return await _list(request, "catalogue", "/plan/versions")


@router.get(
    "/plan/versions/{version}",
    tags=["plan"],
    **relayed("catalogue", "/plan/versions/{version}", model=s.PlanTree, errors=(404,)),
)
async def plan_version(version: int, request: Request) -> Response:
    return await _to(request, "catalogue", "GET", f"/plan/versions/{version}", write=False)


@router.get(
    "/plan/nodes/{code}",
    tags=["plan"],
    **relayed("catalogue", "/plan/nodes/{code}", model=s.PlanNodeAnswer, errors=(404,)),
)
async def plan_node(code: str, request: Request) -> Response:
    return await _to(request, "catalogue", "GET", f"/plan/nodes/{code}", write=False)


@router.post(
    "/plan/nodes",
    tags=["plan"],
    status_code=201,
    **relayed("catalogue", "/plan/nodes", model=s.PlanChange, errors=(401, 403, 404, 409, 429)),
    dependencies=[API_WRITE],
)
async def add_plan_node(request: Request) -> Response:
    """Add a sub-goal or measure (coordinators): a new plan version with who and why."""
    return await _to(request, "catalogue", "POST", "/plan/nodes", write=True)


@router.patch(
    "/plan/nodes/{code}",
    tags=["plan"],
    **relayed(
        "catalogue", "/plan/nodes/{code}", model=s.PlanChange, errors=(401, 403, 404, 409, 429)
    ),
    dependencies=[API_WRITE],
)
async def change_plan_node(code: str, request: Request) -> Response:
    return await _to(request, "catalogue", "PATCH", f"/plan/nodes/{code}", write=True)


@router.post(
    "/plan/nodes/{code}/retire",
    tags=["plan"],
    **relayed(
        "catalogue",
        "/plan/nodes/{code}/retire",
        model=s.PlanChange,
        errors=(401, 403, 404, 409, 429),
    ),
    dependencies=[API_WRITE],
)
async def retire_plan_node(code: str, request: Request) -> Response:
    return await _to(request, "catalogue", "POST", f"/plan/nodes/{code}/retire", write=True)


@router.post(
    "/plan/nodes/{code}/merge",
    tags=["plan"],
    **relayed(
        "catalogue",
        "/plan/nodes/{code}/merge",
        model=s.PlanChange,
        errors=(401, 403, 404, 409, 429),
    ),
    dependencies=[API_WRITE],
)
async def merge_plan_node(code: str, request: Request) -> Response:
    return await _to(request, "catalogue", "POST", f"/plan/nodes/{code}/merge", write=True)


@router.post(
    "/plan/imports",
    tags=["plan"],
    status_code=201,
    **relayed("catalogue", "/plan/imports", model=s.PlanImport, errors=(401, 403, 413, 415, 429)),
    dependencies=[API_WRITE],
)
async def import_plan(request: Request) -> Response:
    """A whole plan as a CSV request body (coordinators); ``dry_run=true`` only checks it."""
    return await _to(request, "catalogue", "POST", "/plan/imports", write=True)


@router.get(
    "/organisations",
    tags=["organisations"],
    **relayed(
        "catalogue",
        "/organisations",
        model=Page[s.Organisation],
        errors=(403,),
        omit=LIST_PARAMETERS,
    ),
)
async def organisations(request: Request, limit: Limit = 50, cursor: Cursor = None) -> Response:
    """Approved organisations by name; coordinators may ask for proposed or rejected ones."""
    return await _list(request, "catalogue", "/organisations")


@router.get(
    "/organisations/{organisation_id}",
    tags=["organisations"],
    **relayed("catalogue", "/organisations/{organisation_id}", model=s.Organisation, errors=(404,)),
)
async def organisation(organisation_id: str, request: Request) -> Response:
    return await _to(request, "catalogue", "GET", f"/organisations/{organisation_id}", write=False)


@router.get(
    "/geography/{kind}",
    tags=["geography"],
    **relayed(
        "catalogue",
        "/geography/counties",
        "/geography/municipalities",
        model=Page[s.Area],
        omit=LIST_PARAMETERS,
    ),
)
async def geography(
    kind: Literal["counties", "municipalities"],
    request: Request,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Wellbeing services counties or municipalities by code (``county`` picks one county's
    municipalities)."""
    return await _list(request, "catalogue", f"/geography/{kind}")
