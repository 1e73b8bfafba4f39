"""Discussion data in MongoDB: queries only (the rules are in service.py).

Every change and its event are written in one transaction (the outbox), so an event exists
exactly when the change does.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.outbox import Outbox

MESSAGES = "discussion_messages"
TOPICS = "discussion_topics"
FOLLOWS = "discussion_follows"
CONSENTS = "discussion_consents"
REPORTS = "discussion_reports"

Write = Callable[[AsyncClientSession], Awaitable[Any]]


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    # Threads of a subject, newest first; a thread's messages in order.
    await db[MESSAGES].create_index(
        [("subject_key", ASCENDING), ("root", ASCENDING), ("created_at", DESCENDING)]
    )
    await db[MESSAGES].create_index([("thread_id", ASCENDING), ("created_at", ASCENDING)])
    # The posting rate limit counts one author's recent messages.
    await db[MESSAGES].create_index([("author_id", ASCENDING), ("created_at", DESCENDING)])
    await db[TOPICS].create_index([("created_at", DESCENDING)])
    await db[FOLLOWS].create_index([("target", ASCENDING)])
    await db[FOLLOWS].create_index([("member_id", ASCENDING)])
    await db[REPORTS].create_index([("open", ASCENDING), ("at", ASCENDING)])
    await db[REPORTS].create_index([("message_id", ASCENDING)])


class DiscussionStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.db = db
        self.outbox = outbox
        self.messages = db[MESSAGES]
        self.topics = db[TOPICS]
        self.follows = db[FOLLOWS]
        self.consents = db[CONSENTS]
        self.reports = db[REPORTS]

    async def transaction(self, write: Write) -> Any:
        async with self.db.client.start_session() as session:
            result = await session.with_transaction(write)
        self.outbox.notify()
        return result

    # --- messages -----------------------------------------------------------------------------

    async def message(self, message_id: str) -> dict[str, Any] | None:
        return await self.messages.find_one({"_id": message_id})

    async def messages_by_id(self, ids: list[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return await self.messages.find({"_id": {"$in": ids}}).to_list()

    async def insert_message(
        self, session: AsyncClientSession, doc: dict[str, Any], event: dict[str, Any]
    ) -> None:
        await self.messages.insert_one(doc, session=session)
        await self.outbox.collection.insert_one(event, session=session)

    async def update_message(
        self,
        session: AsyncClientSession,
        message_id: str,
        version: int,
        changes: dict[str, Any],
        event: dict[str, Any],
    ) -> bool:
        """Applies ``changes`` if the message is still at ``version``; False if it moved on."""
        result = await self.messages.update_one(
            {"_id": message_id, "version": version},
            {"$set": {**changes, "version": version + 1}},
            session=session,
        )
        if result.modified_count != 1:
            return False
        await self.outbox.collection.insert_one(event, session=session)
        return True

    async def roots(
        self, subject_key: str, limit: int, before: tuple[datetime, str] | None
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"subject_key": subject_key, "root": True}
        if before is not None:
            at, message_id = before
            query["$or"] = [
                {"created_at": {"$lt": at}},
                {"created_at": at, "_id": {"$lt": message_id}},
            ]
        found = self.messages.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return await found.limit(limit).to_list()

    async def in_threads(self, thread_ids: list[str]) -> list[dict[str, Any]]:
        if not thread_ids:
            return []
        found = self.messages.find({"thread_id": {"$in": thread_ids}})
        return await found.sort([("created_at", ASCENDING), ("_id", ASCENDING)]).to_list()

    async def posted_since(self, author_id: str, since: datetime) -> int:
        return await self.messages.count_documents(
            {"author_id": author_id, "created_at": {"$gte": since}}
        )

    async def counts(self, subject_key: str) -> tuple[int, int]:
        threads = await self.messages.count_documents({"subject_key": subject_key, "root": True})
        messages = await self.messages.count_documents({"subject_key": subject_key})
        return threads, messages

    async def forget_author(self, member_id: str) -> None:
        """An erased member: their messages stay, no longer linked to them."""
        await self.messages.update_many(
            {"author_id": member_id}, {"$set": {"author_id": None, "former_member": True}}
        )
        await self.reports.update_many({"reported_by": member_id}, {"$set": {"reported_by": None}})
        await self.follows.delete_many({"member_id": member_id})
        await self.consents.delete_one({"_id": member_id})

    # --- topics -------------------------------------------------------------------------------

    async def topic(self, topic_id: str) -> dict[str, Any] | None:
        return await self.topics.find_one({"_id": topic_id})

    async def insert_topic(
        self, session: AsyncClientSession, doc: dict[str, Any], event: dict[str, Any]
    ) -> None:
        await self.topics.insert_one(doc, session=session)
        await self.outbox.collection.insert_one(event, session=session)

    async def list_topics(
        self, *, include_members_only: bool, limit: int, before: tuple[datetime, str] | None
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {} if include_members_only else {"members_only": False}
        if before is not None:
            at, topic_id = before
            query["$or"] = [
                {"created_at": {"$lt": at}},
                {"created_at": at, "_id": {"$lt": topic_id}},
            ]
        found = self.topics.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return await found.limit(limit).to_list()

    # --- follows and consent ------------------------------------------------------------------

    async def follow(self, member_id: str, target: str, session: Any = None) -> None:
        await self.follows.update_one(
            {"_id": f"{member_id}|{target}"},
            {"$set": {"member_id": member_id, "target": target}},
            upsert=True,
            session=session,
        )

    async def unfollow(self, member_id: str, target: str) -> None:
        await self.follows.delete_one({"_id": f"{member_id}|{target}"})

    async def following(self, member_id: str, targets: list[str]) -> set[str]:
        ids = [f"{member_id}|{t}" for t in targets]
        found = await self.follows.find({"_id": {"$in": ids}}).to_list()
        return {d["target"] for d in found}

    async def followers(self, targets: list[str]) -> list[str]:
        found = await self.follows.find({"target": {"$in": targets}}).to_list()
        return list(dict.fromkeys(d["member_id"] for d in found))

    async def consented(self, member_id: str) -> bool:
        return await self.consents.find_one({"_id": member_id}) is not None

    async def record_consent(self, member_id: str, at: datetime, session: Any = None) -> None:
        await self.consents.update_one(
            {"_id": member_id}, {"$setOnInsert": {"at": at}}, upsert=True, session=session
        )

    # --- reports ------------------------------------------------------------------------------

    async def insert_report(
        self, session: AsyncClientSession, doc: dict[str, Any], event: dict[str, Any]
    ) -> None:
        await self.reports.insert_one(doc, session=session)
        await self.outbox.collection.insert_one(event, session=session)

    async def open_reports(
        self, limit: int, after: tuple[datetime, str] | None
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"open": True}
        if after is not None:
            at, report_id = after
            query["$or"] = [{"at": {"$gt": at}}, {"at": at, "_id": {"$gt": report_id}}]
        found = self.reports.find(query).sort([("at", ASCENDING), ("_id", ASCENDING)])
        return await found.limit(limit).to_list()

    async def close_reports(
        self, session: AsyncClientSession, message_id: str, by: str, at: datetime
    ) -> None:
        await self.reports.update_many(
            {"message_id": message_id, "open": True},
            {"$set": {"open": False, "closed_by": by, "closed_at": at}},
            session=session,
        )

    async def dismiss_report(self, report_id: str, by: str, at: datetime) -> bool:
        result = await self.reports.update_one(
            {"_id": report_id, "open": True},
            {"$set": {"open": False, "closed_by": by, "closed_at": at}},
        )
        return result.modified_count == 1
