"""What community keeps of other services' data, built from their events (never their databases).

- members (``catalogue.members.v1``): name and coordinator flag, shown with a member's messages.
  Names stay in this service's database and its answers to the gateway; they never go into
  community's own events. An erasure drops the name: the messages stay, shown as a former member.
- organisations (``catalogue.organisations.v1``): names, shown next to an author.
- the plan (``catalogue.plan.v1``): which sub-goals and measures exist, to discuss them.
- published actions (``submissions.actions.v1``): which actions may be discussed, and their titles.
"""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_contracts.actions import ActionPublished, ActionUpdated, ActionWithdrawn
from htk_contracts.catalogue import PlanLevel
from htk_contracts.envelope import Envelope
from htk_runtime.consumer import (
    action_event,
    member_event,
    organisation_event,
    plan_event,
)
from htk_runtime.versions import store_if_newer

MEMBERS = "member_copies"
ORGANISATIONS = "organisation_copies"
PLAN = "plan_copy"
ACTIONS = "action_copies"


class ReadCopies:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.members = db[MEMBERS]
        self.organisations = db[ORGANISATIONS]
        self.plan = db[PLAN]
        self.actions = db[ACTIONS]

    # --- applying events ----------------------------------------------------------------------

    async def apply_member(self, envelope: Envelope[dict[str, Any]]) -> bool:
        """True when the event erased the member (the caller anonymises what it holds)."""
        # The shared parser checks the contract; community keeps only a name to show (never
        # the address or roles), and whether the person was erased.
        fields = member_event(envelope)
        doc = {key: fields[key] for key in ("erased", "name", "coordinator")}
        stored = await store_if_newer(
            self.members, envelope.subject, envelope.aggregateversion, doc
        )
        return stored and doc["erased"]

    async def apply_organisation(self, envelope: Envelope[dict[str, Any]]) -> None:
        organisation = organisation_event(envelope)
        await store_if_newer(
            self.organisations,
            envelope.subject,
            envelope.aggregateversion,
            {
                "name_fi": organisation.name_fi,
                "name_sv": organisation.name_sv,
                "status": organisation.status.value,
            },
        )

    async def apply_plan(self, envelope: Envelope[dict[str, Any]]) -> None:
        plan = plan_event(envelope)
        nodes = {
            n.code.replace(".", "_"): {
                "level": n.level.value,
                "name": n.name.model_dump(),
                "state": n.state.value,
            }
            for n in plan.nodes
            if n.level in (PlanLevel.SUB_GOAL, PlanLevel.MEASURE)
        }
        await store_if_newer(self.plan, "plan", envelope.aggregateversion, {"nodes": nodes})

    async def apply_action(self, envelope: Envelope[dict[str, Any]]) -> None:
        event = action_event(envelope)
        if isinstance(event, ActionPublished | ActionUpdated):
            action = event.action
            doc: dict[str, Any] = {
                "published": True,
                "title": action.title,
                "organisation_id": action.organisation_id,
                "sub_goals": action.sub_goals,
                "measures": action.measures,
            }
        elif isinstance(event, ActionWithdrawn):
            doc = {"published": False}
        else:
            return  # drafts and reviews are not public: nothing to discuss yet
        await store_if_newer(self.actions, envelope.subject, envelope.aggregateversion, doc)

    # --- reading ------------------------------------------------------------------------------

    async def member(self, member_id: str) -> dict[str, Any] | None:
        return await self.members.find_one({"_id": member_id})

    async def members_by_id(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        found = await self.members.find({"_id": {"$in": sorted(ids)}}).to_list()
        return {d["_id"]: d for d in found}

    async def organisations_by_id(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        found = await self.organisations.find({"_id": {"$in": sorted(ids)}}).to_list()
        return {d["_id"]: d for d in found}

    async def plan_node(self, code: str) -> dict[str, Any] | None:
        plan = await self.plan.find_one({"_id": "plan"})
        if plan is None:
            return None
        node: dict[str, Any] | None = plan["nodes"].get(code.replace(".", "_"))
        return node

    async def action(self, action_id: str) -> dict[str, Any] | None:
        return await self.actions.find_one({"_id": action_id})
