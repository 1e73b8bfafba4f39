"""Coverage counts kept live from action events, idempotent by action version.

Each published action is held with the plan codes it counts under. An event newer than what is
held moves the action's contribution: the old codes lose one, the new ones gain one, in the same
transaction that stores the new version. A replayed or duplicated event is older or equal, so it
changes nothing.
"""

from typing import Any

from htk_contracts.actions import ActionPublished, ActionUpdated
from htk_contracts.envelope import Envelope
from htk_runtime.consumer import PoisonMessage
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

ACTIONS = "actions"
COUNTS = "priority_counts"


class CoverageProjection:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.db = db

    async def apply(self, envelope: Envelope[dict[str, Any]]) -> None:
        kind = envelope.data.get("kind")
        if kind == "published":
            priorities = ActionPublished.model_validate(envelope.data).action.priorities
        elif kind == "updated":
            priorities = ActionUpdated.model_validate(envelope.data).action.priorities
        elif kind == "withdrawn":
            priorities = []
        elif kind in ("drafted", "submitted", "returned"):
            return
        else:
            raise PoisonMessage(f"unknown action event kind {kind!r}")

        async def write(session: AsyncClientSession) -> None:
            held = await self.db[ACTIONS].find_one({"_id": envelope.subject}, session=session)
            if held and held["version"] >= envelope.aggregateversion:
                return
            before = set(held["priorities"]) if held else set()
            after = set(priorities)
            for code in before - after:
                await self.db[COUNTS].update_one(
                    {"_id": code}, {"$inc": {"actions": -1}}, session=session
                )
            for code in after - before:
                await self.db[COUNTS].update_one(
                    {"_id": code}, {"$inc": {"actions": 1}}, upsert=True, session=session
                )
            await self.db[ACTIONS].replace_one(
                {"_id": envelope.subject},
                {"version": envelope.aggregateversion, "priorities": sorted(after)},
                upsert=True,
                session=session,
            )

        async with self.db.client.start_session() as session:
            await session.with_transaction(write)

    async def by_priority(self) -> list[dict[str, Any]]:
        docs = await self.db[COUNTS].find({}).sort("_id", 1).to_list()
        return [{"priority": d["_id"], "actions": d["actions"]} for d in docs]
