"""HTTP API of the submissions service. The gateway forwards ``/api/v1/actions`` here."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from htk_runtime.auth import CurrentUser, OptionalUser, User
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.freshness import freshness
from htk_runtime.keyset import position_of
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of
from htk_submissions.domain import ActionContent, completeness
from htk_submissions.history import diff
from htk_submissions.reminders import LinkCheck, check_link
from htk_submissions.schemas import (
    ActionOut,
    HistoryEntry,
    LinkConfirmed,
    PartnerRequested,
    PossibleDuplicates,
    PublicActionOut,
    VersionDiff,
)
from htk_submissions.settings import SubmissionsSettings
from htk_submissions.store import BY_ID, BY_VERSION, ActionStore
from htk_submissions.validation import can_edit, check_references, require_editor, require_member_of
from htk_submissions.workflow import Status, Step

router = APIRouter(prefix="/actions", tags=["actions"])

IfMatch = Annotated[
    str | None,
    Header(description='The version you edited, as returned in ETag, e.g. "3"'),
]


def _ctx(request: Request) -> Any:
    return request.app.state.service.ctx()


def _store(request: Request) -> ActionStore:
    store: ActionStore = _ctx(request).state["store"]
    return store


def _settings(request: Request) -> SubmissionsSettings:
    settings: SubmissionsSettings = request.app.state.service.settings
    return settings


def expected_version(if_match: str | None) -> int:
    if if_match is None:
        raise DomainError(
            428,
            "Send the version you edited in the If-Match header, "
            "so that nobody's work is overwritten",
            field="If-Match",
        )
    match = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', if_match)
    if not match:
        raise DomainError(422, 'If-Match must be the action version, e.g. "3"', field="If-Match")
    return int(match.group(1))


def member_view(document: dict[str, Any], settings: SubmissionsSettings) -> dict[str, Any]:
    """The working copy, for the owning organisation and coordinators."""
    content = ActionContent.model_validate(document["content"])
    confirmed = document.get("confirmed_at")
    return {
        "id": document["_id"],
        "version": document["version"],
        "status": document["status"],
        "organisation_id": document["organisation_id"],
        "content": document["content"],
        "public": document["public"],
        "review_comment": document.get("review_comment"),
        "partner_requests": document.get("partner_requests", {}),
        "pending_partners": document.get("pending_partners", []),
        "completeness": completeness(content),
        # The one freshness rule, the same the figures use (htk_runtime.freshness).
        "timeliness": freshness(confirmed) if confirmed else None,
        "first_published_at": document.get("first_published_at"),
        "confirmed_at": confirmed,
        "created_at": document["created_at"],
        "updated_at": document["updated_at"],
    }


def _answer(
    response: Response, document: dict[str, Any], settings: SubmissionsSettings
) -> dict[str, Any]:
    response.headers["ETag"] = f'"{document["version"]}"'
    return member_view(document, settings)


async def _existing(request: Request, action_id: str) -> dict[str, Any]:
    document = await _store(request).get(action_id)
    if document is None:
        raise DomainError(404, f"No action with id {action_id}", field="action_id")
    return document


def _editor(user: User) -> Any:
    return lambda document: require_editor(user, document)


def _owner_admin(user: User) -> Any:
    def check(document: dict[str, Any]) -> None:
        require_editor(user, document)
        if not (user.coordinator or user.is_admin_of(document["organisation_id"])):
            raise DomainError(
                403, "Only the owning organisation's admins decide who joins as a partner"
            )

    return check


def _coordinator(user: User) -> Any:
    def check(_: dict[str, Any]) -> None:
        if not user.coordinator:
            raise DomainError(403, "Only the plan's coordinators review actions")

    return check


@router.post("", status_code=201, response_model=ActionOut, responses=error_answers(401, 403, 409))
async def create_action(
    body: ActionContent,
    user: CurrentUser,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    require_member_of(user, body.organisation_id)
    ctx = _ctx(request)
    await check_references(body, ctx.state["copies"], ctx.state["geography"])
    created = await _store(request).create(user, body, idempotency_key=idempotency_key)
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return _answer(response, created.document, _settings(request))


@router.get("", responses=error_answers(401, 403))
async def list_actions(
    user: CurrentUser,
    request: Request,
    organisation_id: str | None = None,
    status: Status | None = None,
    pending_partners: Annotated[
        bool, Query(description="Only actions with requests to join waiting for a decision")
    ] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    county: Annotated[
        str | None,
        Query(pattern=r"^\d{2}$", description="Wellbeing services county: its own or its towns'"),
    ] = None,
    measure: Annotated[
        str | None, Query(pattern=r"^\d{1,3}(\.\d{1,3}){2}$", description="A measure's code")
    ] = None,
) -> Page[ActionOut]:
    """Actions of an organisation (its members), or any (coordinators: the review queue,
    filtered by organisation, county and measure), by id."""
    query: dict[str, Any] = {}
    if organisation_id:
        require_member_of(user, organisation_id)
        query["organisation_id"] = organisation_id
    elif not user.coordinator:
        query["organisation_id"] = {"$in": sorted(user.organisations)}
    if status:
        query["status"] = status.value
    if pending_partners:
        query["pending_partners.0"] = {"$exists": True}
    if county:
        geography = _ctx(request).state["geography"]
        if county not in geography.counties:
            raise DomainError(422, f"{county} is not a wellbeing services county", field="county")
        towns = [m.code for m in geography.municipalities_of(county)]
        query["$or"] = [
            {"content.counties": county},
            {"content.municipalities": {"$in": towns}},
        ]
    if measure:
        query["content.measures"] = measure
    documents = await _store(request).page(query, decode_cursor(cursor), limit)
    page = page_of(documents, limit, lambda d: position_of(d, BY_ID))
    settings = _settings(request)
    return Page[ActionOut](
        items=[ActionOut.model_validate(member_view(d, settings)) for d in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get(
    "/{action_id}",
    response_model=ActionOut | PublicActionOut,
    responses=error_answers(404),
)
async def get_action(
    action_id: str, user: OptionalUser, request: Request, response: Response
) -> dict[str, Any]:
    """Members of the owner and coordinators see the working copy; everyone else the public one."""
    document = await _existing(request, action_id)
    if user is not None and can_edit(user, document):
        return _answer(response, document, _settings(request))
    if document["public"] is None:
        # Not "403": a draft's existence is not revealed to outsiders.
        raise DomainError(404, f"No action with id {action_id}", field="action_id")
    return {"id": document["_id"], **document["public"]}


@router.put(
    "/{action_id}",
    response_model=ActionOut,
    responses=error_answers(401, 403, 404, 409, 412, 428),
)
async def edit_action(
    action_id: str,
    body: ActionContent,
    user: CurrentUser,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    version = expected_version(if_match)
    document = await _existing(request, action_id)
    require_editor(user, document)
    ctx = _ctx(request)
    await check_references(body, ctx.state["copies"], ctx.state["geography"])
    edited = await _store(request).edit(user, action_id, version, body, _editor(user))
    return _answer(response, edited, _settings(request))


class StepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(
        default=None,
        min_length=3,
        max_length=4000,
        description="With return: what the submitter should change",
    )


async def _step(
    request: Request,
    response: Response,
    user: User,
    action_id: str,
    if_match: str | None,
    step: Step,
    check: Any,
    comment: str | None = None,
) -> dict[str, Any]:
    version = expected_version(if_match)
    plan_version = None
    if step in (Step.SUBMIT, Step.PUBLISH):
        document = await _existing(request, action_id)
        check(document)
        ctx = _ctx(request)
        # The plan may have changed since the draft was written: check again when it goes public.
        plan_version = await check_references(
            ActionContent.model_validate(document["content"]),
            ctx.state["copies"],
            ctx.state["geography"],
        )
    changed = await _store(request).step(
        user, action_id, version, step, plan_version=plan_version, comment=comment, authorise=check
    )
    return _answer(response, changed, _settings(request))


@router.get("/{action_id}/history", responses=error_answers(401, 403, 404))
async def history(
    action_id: str,
    user: CurrentUser,
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[HistoryEntry]:
    """Every version of the action, oldest first: who took which step, when."""
    document = await _existing(request, action_id)
    require_editor(user, document)
    entries = await _store(request).history(action_id, limit, decode_cursor(cursor))
    page = page_of(entries, limit, lambda e: position_of(e, BY_VERSION))
    return Page[HistoryEntry](
        items=[HistoryEntry.model_validate(e) for e in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get(
    "/{action_id}/diff",
    response_model=VersionDiff,
    # added and removed are said for lists only, not as null for every other field
    response_model_exclude_unset=True,
    responses=error_answers(401, 403, 404),
)
async def version_diff(
    action_id: str,
    user: CurrentUser,
    request: Request,
    from_version: Annotated[int, Query(alias="from", ge=1)],
    to_version: Annotated[int, Query(alias="to", ge=1)],
) -> dict[str, Any]:
    document = await _existing(request, action_id)
    require_editor(user, document)
    store = _store(request)
    old, new = (
        await store.at_version(action_id, from_version),
        await store.at_version(action_id, to_version),
    )
    for name, entry, number in (("from", old, from_version), ("to", new, to_version)):
        if entry is None:
            raise DomainError(422, f"Action {action_id} has no version {number}", field=name)
    assert old is not None and new is not None
    return {"from": from_version, "to": to_version, "changes": diff(old["content"], new["content"])}


class LinkConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)


@router.post(
    "/{action_id}/confirm-by-link", response_model=LinkConfirmed, responses=error_answers(404, 409)
)
async def confirm_by_link(
    action_id: str, body: LinkConfirmation, request: Request, response: Response
) -> dict[str, Any]:
    """One-click confirmation from a reminder mail: the link's token is the permission.

    The link is good until the action is next confirmed; using it again after that answers
    with ``"already_confirmed": true`` and changes nothing, so a second click is harmless."""
    document = await _existing(request, action_id)
    reminders = _ctx(request).state["reminders"]
    checked = check_link(reminders.secret, action_id, document.get("confirmed_at"), body.token)
    if checked == LinkCheck.INVALID:
        raise DomainError(
            422, "This link is not valid for this action; sign in to confirm", field="token"
        )
    if checked == LinkCheck.DONE or document["public"] is None:
        return {
            "id": document["_id"],
            "version": document["version"],
            "confirmed_at": document.get("confirmed_at"),
            "already_confirmed": True,
            "published": document["public"] is not None,
        }
    by_link = User(member_id=f"link:{action_id}")
    changed = await _store(request).step(
        by_link, action_id, document["version"], Step.CONFIRM, authorise=lambda _: None
    )
    return {
        "id": changed["_id"],
        "version": changed["version"],
        "confirmed_at": changed["confirmed_at"],
        "already_confirmed": False,
        "published": True,
    }


class PartnerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: str = Field(min_length=1, max_length=64)


@router.post(
    "/{action_id}/partners",
    status_code=202,
    response_model=PartnerRequested,
    responses=error_answers(401, 403, 404, 409),
)
async def ask_to_join(
    action_id: str, body: PartnerRequest, user: CurrentUser, request: Request
) -> dict[str, Any]:
    """A member asks, for their organisation, to join a published action as a partner."""
    require_member_of(user, body.organisation_id)
    copies = _ctx(request).state["copies"]
    if not await copies.organisation_approved(body.organisation_id):
        raise DomainError(
            422, f"{body.organisation_id} is not an approved organisation", field="organisation_id"
        )
    document = await _store(request).request_partnership(user, action_id, body.organisation_id)
    return {"id": action_id, "partner_request": document["partner_requests"][body.organisation_id]}


@router.post(
    "/{action_id}/partners/{organisation_id}/{decision}",
    response_model=ActionOut,
    responses=error_answers(401, 403, 404, 409, 412, 428),
)
async def decide_partner(
    action_id: str,
    organisation_id: str,
    decision: str,
    user: CurrentUser,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """The owner's admins (or a coordinator) approve or reject a request to join."""
    if decision not in ("approve", "reject"):
        raise DomainError(404, "Decide with approve or reject", field="decision")
    version = expected_version(if_match)
    changed = await _store(request).decide_partnership(
        user, action_id, version, organisation_id, decision == "approve", _owner_admin(user)
    )
    return _answer(response, changed, _settings(request))


@router.get(
    "/{action_id}/possible-duplicates",
    response_model=PossibleDuplicates,
    responses=error_answers(401, 403, 404),
)
async def possible_duplicates(
    action_id: str, user: CurrentUser, request: Request
) -> dict[str, Any]:
    """Published actions that look like this one, shown while drafting so nobody describes the
    same work twice; joining as a partner is the alternative."""
    document = await _existing(request, action_id)
    require_editor(user, document)
    content = document["content"]
    similar = _ctx(request).state["similar"]
    return await similar.find(
        f"{content['title']}. {content['summary']}",
        exclude=[action_id],
        language=content.get("language", "fi"),
        measures=content.get("measures", []),
    )


# Who may take each step: editors (members of the owner, coordinators) or coordinators only.
STEP_PERMISSIONS = {
    Step.SUBMIT: _editor,
    Step.PUBLISH: _coordinator,
    Step.RETURN: _coordinator,
    Step.WITHDRAW: _editor,
    Step.CONFIRM: _editor,
}


# Declared last: "/{action_id}/partners" and "/{action_id}/confirm-by-link" must match first.
@router.post(
    "/{action_id}/{step}",
    response_model=ActionOut,
    responses=error_answers(401, 403, 404, 409, 412, 428),
)
async def take_step(
    action_id: str,
    step: Annotated[Step, Path(description="submit, publish, return, withdraw or confirm")],
    user: CurrentUser,
    request: Request,
    response: Response,
    body: StepBody | None = None,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """A workflow step. Publish and return are for coordinators; return needs a comment;
    confirm tells that the published description is still true (freshness)."""
    if step == Step.EDIT:
        raise DomainError(422, "Edit with PUT /actions/{id}", field="step")
    comment = body.comment if body else None
    if step == Step.RETURN and not comment:
        raise DomainError(422, "Say what the submitter should change", field="comment")
    check = STEP_PERMISSIONS[step](user)
    return await _step(request, response, user, action_id, if_match, step, check, comment)
