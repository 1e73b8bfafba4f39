"""Events that say a request was made or decided, for whoever must be told (see
``htk_contracts.catalogue_requests``). Each is written in the transaction of the change it
reports, so a notification is never sent for a change that did not commit, nor lost for one
that did.

A registration's requests wait until the person has confirmed their address (followed the
link): nobody is asked to decide about someone who may never come.
"""

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from htk_catalogue.events import (
    membership_decided,
    membership_requested,
    organisation_decided,
    organisation_proposed,
)
from htk_catalogue.transactions import Writer, now
from htk_contracts.catalogue import MembershipRole, MembershipStatus
from htk_contracts.catalogue_requests import (
    MembershipDecided,
    MembershipDecision,
    MembershipRequested,
    OrganisationDecided,
    OrganisationDecision,
    OrganisationProposed,
)


def _names(org: dict[str, Any]) -> dict[str, Any]:
    return {"organisation_id": org["_id"], "name_fi": org["name_fi"], "name_sv": org.get("name_sv")}


class Notices:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.members = writer.db["members"]
        self.organisations = writer.db["organisations"]

    async def admins_of(self, session: AsyncClientSession, organisation_id: str) -> list[str]:
        admin = {
            "organisation_id": organisation_id,
            "status": MembershipStatus.APPROVED.value,
            "role": MembershipRole.ADMIN.value,
        }
        docs = await self.members.find(
            {"memberships": {"$elemMatch": admin}, "erased": False}, {"_id": 1}, session=session
        ).to_list()
        return sorted(d["_id"] for d in docs)

    async def _add(self, session: AsyncClientSession, envelope: Any) -> None:
        await self.writer.outbox.add(session, topic=self.writer.topics.requests, envelope=envelope)

    async def requested(
        self, session: AsyncClientSession, member: dict[str, Any], membership: dict[str, Any]
    ) -> None:
        """The member asks to join, or proposed the organisation (then coordinators decide)."""
        org = await self.organisations.find_one(
            {"_id": membership["organisation_id"]}, session=session
        )
        if org is None:
            return
        if org.get("proposed_by") == member["_id"] and org["status"] == "proposed":
            event = OrganisationProposed(
                **_names(org),
                member_id=member["_id"],
                language=member["language"],
                business_id=org.get("business_id"),
                municipality=org.get("municipality"),
                county=org.get("county"),
                proposed_at=org["created_at"],
            )
            await self._add(session, organisation_proposed(event, org["version"]))
            return
        admins = await self.admins_of(session, org["_id"])
        requested = MembershipRequested(
            **_names(org),
            member_id=member["_id"],
            language=member["language"],
            role=membership["role"],
            deciders=admins,
            coordinators_decide=not admins,
            requested_at=membership.get("requested_at") or now(),
        )
        await self._add(session, membership_requested(requested, member["version"]))

    async def membership(
        self,
        session: AsyncClientSession,
        member: dict[str, Any],
        organisation_id: str,
        decision: MembershipDecision,
        role: str,
        by: str,
    ) -> None:
        org = await self.organisations.find_one({"_id": organisation_id}, session=session)
        if org is None:
            return
        event = MembershipDecided(
            **_names(org),
            member_id=member["_id"],
            language=member["language"],
            decision=decision,
            role=MembershipRole(role),
            decided_by=by,
            decided_at=now(),
        )
        await self._add(session, membership_decided(event, member["version"]))

    async def organisation(
        self,
        session: AsyncClientSession,
        org: dict[str, Any],
        proposer: dict[str, Any] | None,
        decision: OrganisationDecision,
        by: str,
        reason: str = "",
    ) -> None:
        event = OrganisationDecided(
            **_names(org),
            member_id=proposer["_id"] if proposer else None,
            language=(proposer or {}).get("language", "fi"),
            decision=decision,
            decided_by=by,
            reason=reason,
            decided_at=now(),
        )
        await self._add(session, organisation_decided(event, org["version"]))
