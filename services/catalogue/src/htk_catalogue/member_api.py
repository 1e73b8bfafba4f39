"""Members over HTTP: joining, one's own data (download and erasure), and coordinators' tools.

``POST /registrations`` and ``POST /members/claims`` answer the gateway for a person who is not
signed in yet (joining, logging in). The gateway must never expose them as they are: it confirms
the address with a link and rate-limits, and only then calls these, with its service token
(``GatewayCall``): they refuse everyone else.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from htk_catalogue.catalogue import Catalogue, CatalogueDep
from htk_catalogue.member_schemas import (
    Claims,
    CoordinatorChange,
    EmailLookup,
    Erased,
    JoinRequest,
    MemberExport,
    MemberOut,
    ProfileUpdate,
    Registered,
    Registration,
)
from htk_catalogue.member_store import MEMBER_ORDER, claims_of
from htk_catalogue.personal_data import export
from htk_catalogue.registration import register
from htk_catalogue.views import member_view, organisation_view
from htk_runtime.auth import Coordinator, CurrentUser, GatewayCall
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.keyset import position_of
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of

router = APIRouter(tags=["members"])

# The personal data file: JSON, sent to download rather than to show.
EXPORT_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": MemberExport,
        "description": "A JSON file (Content-Disposition: attachment)",
    }
}


@router.post(
    "/registrations",
    status_code=201,
    response_model=Registered,
    responses=error_answers(401, 403, 409),
)
async def registration(
    body: Registration, catalogue: CatalogueDep, _: GatewayCall
) -> dict[str, Any]:
    """Someone joins: a member with a pending membership (and a proposed organisation)."""
    member, organisation = await register(body, catalogue.members, catalogue.organisations)
    return {
        "member": member_view(member),
        "organisation": organisation_view(organisation, None) if organisation else None,
    }


@router.post("/members/claims", response_model=Claims, responses=error_answers(401, 403, 404))
async def claims(body: EmailLookup, catalogue: CatalogueDep, _: GatewayCall) -> dict[str, Any]:
    """What the gateway signs into the user token of the person with this address."""
    doc = await catalogue.members.by_email(body.email)
    if doc is None:
        raise DomainError(404, "No member has this email address", field="email")
    return claims_of(doc)


@router.get("/members/me", response_model=MemberOut, responses=error_answers(401, 404))
async def me(user: CurrentUser, catalogue: CatalogueDep) -> dict[str, Any]:
    return member_view(await catalogue.members.require(user.member_id))


@router.patch("/members/me", response_model=MemberOut, responses=error_answers(401, 404, 409))
async def update_me(
    body: ProfileUpdate, user: CurrentUser, catalogue: CatalogueDep
) -> dict[str, Any]:
    return member_view(await catalogue.members.update_profile(user.member_id, body))


@router.post(
    "/members/me/confirmation", response_model=MemberOut, responses=error_answers(401, 404)
)
async def confirm_me(user: CurrentUser, catalogue: CatalogueDep) -> dict[str, Any]:
    """The gateway tells that the person followed a link mailed to them: their registration
    no longer expires, and their waiting requests go to whoever decides. Idempotent."""
    return member_view(await catalogue.members.confirm(user.member_id))


@router.post(
    "/members/me/memberships",
    status_code=201,
    response_model=MemberOut,
    responses=error_answers(401, 404, 409),
)
async def join(body: JoinRequest, user: CurrentUser, catalogue: CatalogueDep) -> dict[str, Any]:
    """Ask to join another organisation (approved, or a proposal still waiting); its admins
    or, while it has none, a coordinator decide."""
    return member_view(
        await catalogue.members.request_membership(user.member_id, body.organisation_id)
    )


async def _download(member_id: str, catalogue: Catalogue) -> JSONResponse:
    data = await export(member_id, catalogue.members, catalogue.organisations, catalogue.plan)
    return JSONResponse(
        jsonable_encoder(data),
        headers={"Content-Disposition": f'attachment; filename="htk-member-{member_id}.json"'},
    )


@router.get(
    "/members/me/export",
    response_class=JSONResponse,
    responses={**EXPORT_FILE, **error_answers(401, 404)},
)
async def export_me(user: CurrentUser, catalogue: CatalogueDep) -> JSONResponse:
    """Everything the catalogue holds about you, as a JSON file."""
    return await _download(user.member_id, catalogue)


async def _erase(member_id: str, catalogue: Catalogue) -> dict[str, Any]:
    await catalogue.members.require(member_id)
    doc = await catalogue.members.erase(member_id)
    return {"member_id": member_id, "erased_at": doc["erased_at"]}


@router.post("/members/me/erasure", response_model=Erased, responses=error_answers(401, 404))
async def erase_me(user: CurrentUser, catalogue: CatalogueDep) -> dict[str, Any]:
    """Erase your personal data here and in every service's copy. This cannot be undone."""
    return await _erase(user.member_id, catalogue)


@router.get("/members", responses=error_answers(401, 403))
async def list_members(
    user: Coordinator,
    catalogue: CatalogueDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[MemberOut]:
    """Every member (not erased), by email address."""
    found = await catalogue.members.page(limit, decode_cursor(cursor))
    page = page_of(found, limit, lambda doc: position_of(doc, MEMBER_ORDER))
    return Page[MemberOut](
        items=[MemberOut.model_validate(member_view(d)) for d in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get(
    "/members/{member_id}", response_model=MemberOut, responses=error_answers(401, 403, 404)
)
async def get_member(member_id: str, user: Coordinator, catalogue: CatalogueDep) -> dict[str, Any]:
    return member_view(await catalogue.members.require(member_id))


@router.put(
    "/members/{member_id}/coordinator",
    response_model=MemberOut,
    responses=error_answers(401, 403, 404, 409),
)
async def set_coordinator(
    member_id: str, body: CoordinatorChange, user: Coordinator, catalogue: CatalogueDep
) -> dict[str, Any]:
    if member_id == user.member_id and not body.coordinator:
        raise DomainError(422, "Ask another coordinator to remove your role", field="coordinator")
    return member_view(await catalogue.members.set_coordinator(member_id, body.coordinator))


@router.get(
    "/members/{member_id}/export",
    response_class=JSONResponse,
    responses={**EXPORT_FILE, **error_answers(401, 403, 404)},
)
async def export_member(member_id: str, user: Coordinator, catalogue: CatalogueDep) -> JSONResponse:
    return await _download(member_id, catalogue)


@router.post(
    "/members/{member_id}/erasure",
    response_model=Erased,
    responses=error_answers(401, 403, 404),
)
async def erase_member(
    member_id: str, user: Coordinator, catalogue: CatalogueDep
) -> dict[str, Any]:
    return await _erase(member_id, catalogue)
