"""Someone joins: they become a member with a pending membership, in an existing organisation
(its admins or a coordinator approve) or in one they propose (a coordinator approves the
organisation, and with it its proposer as the organisation's admin)."""

from typing import Any
from uuid import uuid4

from pymongo.asynchronous.client_session import AsyncClientSession

from htk_catalogue.member_schemas import Registration
from htk_catalogue.member_store import MemberStore, pending_membership
from htk_catalogue.organisation_schemas import OrganisationInput
from htk_catalogue.organisation_store import OrganisationStore
from htk_contracts.catalogue import MembershipRole, OrganisationStatus
from htk_runtime.errors import DomainError

NEW = "new_organisation."


async def register(
    registration: Registration, members: MemberStore, organisations: OrganisationStore
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The new member, and the organisation they proposed if any."""
    if (registration.organisation_id is None) == (registration.new_organisation is None):
        raise DomainError(
            422,
            "Give either organisation_id (to join one) or new_organisation (to propose one)",
            field="organisation_id",
        )
    # The address is checked last (by the unique index, in new_member): a refusal that depends
    # on anything else must come out the same whether or not the address is a member's, or the
    # answer tells a stranger who is registered.
    proposal = registration.new_organisation
    if proposal is not None:
        fields = proposal.model_dump(mode="json")
        organisations.check(fields, prefix=NEW)
        await organisations.refuse_duplicates(fields, prefix=NEW)

    async def work(session: AsyncClientSession) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if proposal is None:
            assert registration.organisation_id is not None
            await members.joinable_organisation(session, registration.organisation_id)
            membership = pending_membership(registration.organisation_id, MembershipRole.MEMBER)
            member = await members.new_member(session, registration, [membership], confirmed=False)
            return member, None
        member_id = str(uuid4())
        organisation = await organisations.insert(
            session, proposal, OrganisationStatus.PROPOSED, by=member_id
        )
        membership = pending_membership(organisation["_id"], MembershipRole.ADMIN)
        member = await members.new_member(
            session, registration, [membership], member_id, confirmed=False
        )
        return member, organisation

    return await members.writer.transaction(work)


async def propose(
    member_id: str,
    fields_in: OrganisationInput,
    members: MemberStore,
    organisations: OrganisationStore,
) -> dict[str, Any]:
    """A member proposes another organisation; they become its admin once it is approved."""
    fields = fields_in.model_dump(mode="json")
    organisations.check(fields)
    await organisations.refuse_duplicates(fields)

    async def work(session: AsyncClientSession) -> dict[str, Any]:
        member = await members.load(session, member_id)
        organisation = await organisations.insert(
            session, fields_in, OrganisationStatus.PROPOSED, by=member_id
        )
        membership = pending_membership(organisation["_id"], MembershipRole.ADMIN)
        stored = await members.store(
            session, {**member, "memberships": [*member["memberships"], membership]}
        )
        if stored.get("confirmed", True):
            await members.notices.requested(session, stored, membership)
        return organisation

    return await members.writer.transaction(work)
