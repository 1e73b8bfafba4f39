"""Actions in MongoDB. Every write commits the action and its event in one transaction."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from htk_contracts.topics import Topic
from htk_runtime.outbox import Outbox
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_submissions.domain import ActionInput, public_snapshot
from htk_submissions.events import action_published

ACTIONS = "actions"


class ActionStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.db = db
        self.actions = db[ACTIONS]
        self.outbox = outbox

    async def create(self, data: ActionInput) -> dict[str, Any]:
        action_id = str(uuid4())
        now = datetime.now(UTC)
        # Until the review workflow exists, a created action is published at once.
        snapshot = public_snapshot(action_id, 1, data, now)
        document = {
            "_id": action_id,
            "version": 1,
            "status": "published",
            "input": data.model_dump(mode="json"),
            "public": snapshot.model_dump(mode="json"),
            "created_at": now,
            "updated_at": now,
        }

        async def write(session: AsyncClientSession) -> None:
            await self.actions.insert_one(document, session=session)
            await self.outbox.add(
                session, topic=Topic.SUBMISSIONS_ACTIONS, envelope=action_published(snapshot)
            )

        async with self.db.client.start_session() as session:
            await session.with_transaction(write)
        self.outbox.notify()
        return document

    async def get(self, action_id: str) -> dict[str, Any] | None:
        return await self.actions.find_one({"_id": action_id})
