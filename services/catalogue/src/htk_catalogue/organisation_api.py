"""Organisations over HTTP: the approved ones for everyone, proposals for the coordinators,
and each organisation's members for its admins."""

from typing import Any

from fastapi import APIRouter

from htk_catalogue.catalogue import CatalogueDep
from htk_catalogue.member_schemas import MemberOut, MembershipDecision, RoleChange
from htk_catalogue.member_store import BY_ID
from htk_catalogue.organisation_schemas import (
    Decision,
    MembershipRow,
    OrganisationInput,
    OrganisationOut,
    OrganisationUpdate,
)
from htk_catalogue.organisation_store import ORGANISATION_ORDER
from htk_catalogue.registration import propose
from htk_catalogue.views import member_view, organisation_view
from htk_contracts.catalogue import MembershipStatus, OrganisationStatus
from htk_runtime.auth import Coordinator, CurrentUser, OptionalUser, User
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.keyset import position_of
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of

router = APIRouter(prefix="/organisations", tags=["organisations"])


def require_admin(user: User, organisation_id: str) -> None:
    if not (user.coordinator or user.is_admin_of(organisation_id)):
        raise DomainError(403, "Only the organisation's admins or a coordinator can do this")


@router.get("", responses=error_answers(403))
async def list_organisations(
    user: OptionalUser,
    catalogue: CatalogueDep,
    status: OrganisationStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[OrganisationOut]:
    """Approved organisations by name; coordinators may ask for proposed or rejected ones."""
    is_coordinator = user is not None and user.coordinator
    if status is None and not is_coordinator:
        status = OrganisationStatus.APPROVED
    if status not in (None, OrganisationStatus.APPROVED) and not is_coordinator:
        raise DomainError(403, "Only coordinators see proposed or rejected organisations", "status")
    found = await catalogue.organisations.page(status, limit, decode_cursor(cursor))
    page = page_of(found, limit, lambda doc: position_of(doc, ORGANISATION_ORDER))
    return Page[OrganisationOut](
        items=[OrganisationOut.model_validate(organisation_view(d, user)) for d in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get("/{organisation_id}", response_model=OrganisationOut, responses=error_answers(404))
async def get_organisation(
    organisation_id: str, user: OptionalUser, catalogue: CatalogueDep
) -> dict[str, Any]:
    doc = await catalogue.organisations.require(organisation_id)
    visible = doc["status"] == OrganisationStatus.APPROVED or (
        user is not None and (user.coordinator or doc.get("proposed_by") == user.member_id)
    )
    if not visible and user is not None:
        # Someone who asked to join a proposal sees what they asked to join.
        member = await catalogue.members.get(user.member_id)
        visible = member is not None and any(
            m["organisation_id"] == organisation_id for m in member["memberships"]
        )
    if not visible:
        raise DomainError(404, f"No organisation {organisation_id}", field="organisation_id")
    return organisation_view(doc, user)


@router.post(
    "", status_code=201, response_model=OrganisationOut, responses=error_answers(401, 403, 409)
)
async def create_organisation(
    body: OrganisationInput, user: Coordinator, catalogue: CatalogueDep
) -> dict[str, Any]:
    """A coordinator adds an organisation directly; it is approved at once."""
    return organisation_view(await catalogue.organisations.create(body, user.member_id), user)


@router.post(
    "/proposals",
    status_code=201,
    response_model=OrganisationOut,
    responses=error_answers(401, 409),
)
async def propose_organisation(
    body: OrganisationInput, user: CurrentUser, catalogue: CatalogueDep
) -> dict[str, Any]:
    """A member proposes an organisation; once a coordinator approves it they are its admin."""
    doc = await propose(user.member_id, body, catalogue.members, catalogue.organisations)
    return organisation_view(doc, user)


@router.patch(
    "/{organisation_id}",
    response_model=OrganisationOut,
    responses=error_answers(401, 403, 404, 409),
)
async def update_organisation(
    organisation_id: str, body: OrganisationUpdate, user: CurrentUser, catalogue: CatalogueDep
) -> dict[str, Any]:
    require_admin(user, organisation_id)
    return organisation_view(await catalogue.organisations.update(organisation_id, body), user)


@router.post(
    "/{organisation_id}/decision",
    response_model=OrganisationOut,
    responses=error_answers(401, 403, 404, 409),
)
async def decide_organisation(
    organisation_id: str, body: Decision, user: Coordinator, catalogue: CatalogueDep
) -> dict[str, Any]:
    doc = await catalogue.organisations.decide(organisation_id, body.status, user.member_id)
    return organisation_view(doc, user)


@router.get("/{organisation_id}/memberships", responses=error_answers(401, 403, 404))
async def memberships(
    organisation_id: str,
    user: CurrentUser,
    catalogue: CatalogueDep,
    status: MembershipStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[MembershipRow]:
    """The organisation's members and requests to join (by member id), for its admins and
    the coordinators."""
    require_admin(user, organisation_id)
    await catalogue.organisations.require(organisation_id)
    found = await catalogue.members.of_organisation(
        organisation_id, status, limit, decode_cursor(cursor)
    )
    page = page_of(found, limit, lambda doc: position_of(doc, BY_ID))
    rows = []
    for doc in page.items:
        # $elemMatch chose the member by this very membership, so it is there with the status.
        membership = next(m for m in doc["memberships"] if m["organisation_id"] == organisation_id)
        view = member_view(doc)
        rows.append(
            MembershipRow(
                member_id=view["id"],
                name=view["name"],
                email=view["email"],
                role=membership["role"],
                status=membership["status"],
                requested_at=membership.get("requested_at"),
                confirmed=doc.get("confirmed", True),
            )
        )
    return Page[MembershipRow](items=rows, next_cursor=page.next_cursor, limit=limit)


@router.post(
    "/{organisation_id}/memberships/{member_id}/decision",
    response_model=MemberOut,
    responses=error_answers(401, 403, 404, 409),
)
async def decide_membership(
    organisation_id: str,
    member_id: str,
    body: MembershipDecision,
    user: CurrentUser,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    """Approve (with a role) or reject a request to join."""
    require_admin(user, organisation_id)
    doc = await catalogue.members.decide_membership(
        organisation_id, member_id, body.approve, body.role, user.member_id
    )
    return member_view(doc)


@router.put(
    "/{organisation_id}/memberships/{member_id}/role",
    response_model=MemberOut,
    responses=error_answers(401, 403, 404, 409),
)
async def change_role(
    organisation_id: str,
    member_id: str,
    body: RoleChange,
    user: CurrentUser,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    require_admin(user, organisation_id)
    return member_view(
        await catalogue.members.set_role(organisation_id, member_id, body.role, user.member_id)
    )


@router.delete(
    "/{organisation_id}/memberships/{member_id}",
    status_code=204,
    responses=error_answers(401, 403, 404, 409),
)
async def remove_member(
    organisation_id: str, member_id: str, user: CurrentUser, catalogue: CatalogueDep
) -> None:
    """Take an approved member out; the last admin stays (409) until another is made admin."""
    require_admin(user, organisation_id)
    await catalogue.members.remove_membership(organisation_id, member_id, user.member_id)
