"""Read copies of the catalogue, built from its events: the plan, organisations, members.

Submissions validates measure codes against the current plan, owners and partners against the
approved organisations, and contacts against members; reminders need the contacts' addresses.
An erased member's personal data is dropped here too.
"""

import time
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_contracts.catalogue import OrganisationStatus
from htk_contracts.envelope import Envelope
from htk_runtime.consumer import member_event, organisation_event, plan_event
from htk_runtime.versions import store_if_newer

PLAN = "plan_copy"
ORGANISATIONS = "organisation_copies"
MEMBERS = "member_copies"


class CatalogueCopies:
    """Reads used on every write are cached for a moment: the database stand-in is the
    bottleneck of a submission, and the catalogue changes rarely. A change applied by this
    process clears the cache at once; one applied by another replica shows within the TTL."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], cache_seconds: float = 2.0) -> None:
        self.plan = db[PLAN]
        self.organisations = db[ORGANISATIONS]
        self.members = db[MEMBERS]
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}

    async def _cached(self, collection: Any, key: str) -> Any:
        now = time.monotonic()
        hit = self._cache.get((collection.name, key))
        if hit and now - hit[0] < self.cache_seconds:
            return hit[1]
        value = await collection.find_one({"_id": key})
        self._cache[(collection.name, key)] = (now, value)
        return value

    async def _apply(
        self, collection: Any, envelope: Envelope[dict[str, Any]], doc: dict[str, Any]
    ) -> None:
        await store_if_newer(collection, envelope.subject, envelope.aggregateversion, doc)
        self._cache.pop((collection.name, envelope.subject), None)

    async def apply_plan(self, envelope: Envelope[dict[str, Any]]) -> None:
        plan = plan_event(envelope)
        measures = {
            n.code.replace(".", "_"): {"state": n.state.value, "merged_into": n.merged_into}
            for n in plan.nodes
            if n.level == "measure"
        }
        await self._apply(self.plan, envelope, {"plan_version": plan.version, "measures": measures})

    async def apply_organisation(self, envelope: Envelope[dict[str, Any]]) -> None:
        organisation = organisation_event(envelope)
        await self._apply(
            self.organisations,
            envelope,
            {"status": organisation.status.value, "name_fi": organisation.name_fi},
        )

    async def apply_member(self, envelope: Envelope[dict[str, Any]]) -> None:
        doc = member_event(envelope)
        await self._apply(self.members, envelope, doc)

    async def current_plan(self) -> dict[str, Any] | None:
        plan: dict[str, Any] | None = await self._cached(self.plan, "plan")
        return plan

    async def organisation_approved(self, organisation_id: str) -> bool:
        doc = await self._cached(self.organisations, organisation_id)
        return bool(doc and doc["status"] == OrganisationStatus.APPROVED)

    async def member(self, member_id: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await self._cached(self.members, member_id)
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
