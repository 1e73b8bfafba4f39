"""The only module that queries experiences and highlights; each write and its event in one
transaction."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_community.practices.envelopes import highlighted, shared
from htk_contracts.topics import Topic
from htk_runtime.errors import DomainError
from htk_runtime.outbox import Outbox

EXPERIENCES = "practice_experiences"
HIGHLIGHTS = "practice_highlights"


def _aware(doc: dict[str, Any]) -> dict[str, Any]:
    for key in ("shared_at", "at"):
        if isinstance(doc.get(key), datetime) and doc[key].tzinfo is None:
            doc[key] = doc[key].replace(tzinfo=UTC)
    return doc


def _after(after: dict[str, Any] | None, field: str) -> dict[str, Any]:
    if not after:
        return {}
    try:
        at = datetime.fromisoformat(str(after["at"])).astimezone(UTC).replace(tzinfo=None)
        last = str(after["id"])
    except (KeyError, ValueError, TypeError) as exc:
        raise DomainError(422, "The cursor is not valid", "cursor") from exc
    return {"$or": [{field: {"$lt": at}}, {field: at, "_id": {"$lt": last}}]}


class PracticeStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.db = db
        self.experiences = db[EXPERIENCES]
        self.highlights = db[HIGHLIGHTS]
        self.outbox = outbox

    async def ensure_indexes(self) -> None:
        await self.experiences.create_index([("shared_at", DESCENDING), ("_id", DESCENDING)])
        await self.experiences.create_index(
            [("action_id", 1), ("shared_at", DESCENDING), ("_id", DESCENDING)]
        )
        await self.highlights.create_index(
            [("highlighted", 1), ("at", DESCENDING), ("_id", DESCENDING)]
        )

    async def _transaction(self, write: Callable[[AsyncClientSession], Awaitable[Any]]) -> Any:
        async with self.db.client.start_session() as session:
            result = await session.with_transaction(write)
        self.outbox.notify()
        return result

    async def share(self, by: str, fields: dict[str, Any]) -> dict[str, Any]:
        doc = {"_id": str(uuid4()), **fields, "shared_at": datetime.now(UTC), "shared_by": by}

        async def write(session: AsyncClientSession) -> None:
            await self.experiences.insert_one(doc, session=session)
            await self.outbox.add(session, topic=Topic.COMMUNITY_PRACTICES, envelope=shared(doc))

        await self._transaction(write)
        return doc

    async def highlight(
        self, action_id: str, by: str, on: bool, reason: str, title: str
    ) -> dict[str, Any]:
        async def write(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.highlights.find_one_and_update(
                {"_id": action_id},
                {
                    "$set": {
                        "highlighted": on,
                        "reason": reason,
                        "action_title": title,
                        "at": datetime.now(UTC),
                        "by": by,
                    },
                    "$inc": {"version": 1},
                },
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            assert doc is not None  # upserted
            _aware(doc)
            await self.outbox.add(
                session, topic=Topic.COMMUNITY_PRACTICES, envelope=highlighted(doc)
            )
            return doc

        result: dict[str, Any] = await self._transaction(write)
        return result

    async def experiences_page(
        self, action_id: str | None, limit: int, after: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {**_after(after, "shared_at")}
        if action_id:
            query["action_id"] = action_id
        cursor = self.experiences.find(query).sort([("shared_at", DESCENDING), ("_id", DESCENDING)])
        return [_aware(d) async for d in cursor.limit(limit + 1)]

    async def highlights_page(
        self, limit: int, after: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        query = {"highlighted": True, **_after(after, "at")}
        cursor = self.highlights.find(query).sort([("at", DESCENDING), ("_id", DESCENDING)])
        return [_aware(d) async for d in cursor.limit(limit + 1)]

    async def highlight_of(self, action_id: str) -> dict[str, Any] | None:
        doc = await self.highlights.find_one({"_id": action_id})
        return _aware(doc) if doc else None
