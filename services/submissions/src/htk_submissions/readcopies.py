"""Read copies of the catalogue, built from its events: the plan, organisations, members.

Submissions validates measure codes against the current plan, owners and partners against the
approved organisations, and contacts against members; reminders need the contacts' addresses.
An erased member's personal data is dropped here too.
"""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_contracts.catalogue import (
    Member,
    MemberErased,
    MembershipStatus,
    Organisation,
    OrganisationStatus,
    PlanVersion,
)
from htk_contracts.envelope import Envelope
from htk_runtime.consumer import PoisonMessage
from htk_runtime.versions import store_if_newer

PLAN = "plan_copy"
ORGANISATIONS = "organisation_copies"
MEMBERS = "member_copies"


class CatalogueCopies:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.plan = db[PLAN]
        self.organisations = db[ORGANISATIONS]
        self.members = db[MEMBERS]

    async def _apply(
        self, collection: Any, envelope: Envelope[dict[str, Any]], doc: dict[str, Any]
    ) -> None:
        await store_if_newer(collection, envelope.subject, envelope.aggregateversion, doc)

    async def apply_plan(self, envelope: Envelope[dict[str, Any]]) -> None:
        plan = PlanVersion.model_validate(envelope.data)
        measures = {
            n.code.replace(".", "_"): {"state": n.state.value, "merged_into": n.merged_into}
            for n in plan.nodes
            if n.level == "measure"
        }
        await self._apply(self.plan, envelope, {"plan_version": plan.version, "measures": measures})

    async def apply_organisation(self, envelope: Envelope[dict[str, Any]]) -> None:
        organisation = Organisation.model_validate(envelope.data)
        await self._apply(
            self.organisations,
            envelope,
            {"status": organisation.status.value, "name_fi": organisation.name_fi},
        )

    async def apply_member(self, envelope: Envelope[dict[str, Any]]) -> None:
        kind = envelope.data.get("kind")
        if kind == "erased":
            MemberErased.model_validate(envelope.data)
            doc: dict[str, Any] = {"erased": True, "name": None, "email": None, "organisations": {}}
        elif kind == "member":
            member = Member.model_validate(envelope.data)
            doc = {
                "erased": False,
                "name": member.name,
                "email": member.email,
                "language": member.language.value,
                "coordinator": member.coordinator,
                "organisations": {
                    m.organisation_id: m.role.value
                    for m in member.memberships
                    if m.status == MembershipStatus.APPROVED
                },
            }
        else:
            raise PoisonMessage(f"unknown member event kind {kind!r}")
        await self._apply(self.members, envelope, doc)

    async def current_plan(self) -> dict[str, Any] | None:
        return await self.plan.find_one({"_id": "plan"})

    async def organisation_approved(self, organisation_id: str) -> bool:
        doc = await self.organisations.find_one({"_id": organisation_id})
        return bool(doc and doc["status"] == OrganisationStatus.APPROVED)

    async def member(self, member_id: str) -> dict[str, Any] | None:
        doc = await self.members.find_one({"_id": member_id})
        return doc if doc and not doc.get("erased") else None

    async def admins_of(self, organisation_id: str) -> list[dict[str, Any]]:
        return await self.members.find(
            {f"organisations.{organisation_id}": "admin", "erased": False}
        ).to_list()

    async def coordinators(self) -> list[dict[str, Any]]:
        return await self.members.find({"coordinator": True, "erased": False}).to_list()


def measure_state(plan: dict[str, Any], code: str) -> str | None:
    entry = plan["measures"].get(code.replace(".", "_"))
    return entry["state"] if entry else None
