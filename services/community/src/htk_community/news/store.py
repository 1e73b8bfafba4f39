"""The only module that queries the news collection. Every change writes its event to the
outbox in the same transaction."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_community.news.envelopes import news_event
from htk_contracts.community_news import NewsState
from htk_contracts.topics import Topic
from htk_runtime.errors import DomainError
from htk_runtime.outbox import Outbox

NEWS = "news"


def _aware(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    # The database gives naive UTC datetimes back.
    if doc is None:
        return None
    for key in ("published_at", "updated_at"):
        if isinstance(doc.get(key), datetime) and doc[key].tzinfo is None:
            doc[key] = doc[key].replace(tzinfo=UTC)
    return doc


class NewsStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.db = db
        self.news = db[NEWS]
        self.outbox = outbox

    async def ensure_indexes(self) -> None:
        await self.news.create_index(
            [("state", 1), ("published_at", DESCENDING), ("_id", DESCENDING)]
        )

    async def _transaction(self, write: Callable[[AsyncClientSession], Awaitable[Any]]) -> Any:
        async with self.db.client.start_session() as session:
            result = await session.with_transaction(write)
        self.outbox.notify()
        return result

    async def create(self, by: str, texts: dict[str, Any], sub_goals: list[str]) -> dict[str, Any]:
        now = datetime.now(UTC)
        doc = {
            "_id": str(uuid4()),
            "version": 1,
            "state": NewsState.PUBLISHED.value,
            "texts": texts,
            "sub_goals": sub_goals,
            "published_at": now,
            "updated_at": now,
            "created_by": by,
            "updated_by": by,
        }

        async def write(session: AsyncClientSession) -> None:
            await self.news.insert_one(doc, session=session)
            await self.outbox.add(
                session, topic=Topic.COMMUNITY_NEWS, envelope=news_event("published", doc)
            )

        await self._transaction(write)
        return doc

    async def change(self, news_id: str, by: str, kind: str, **fields: Any) -> dict[str, Any]:
        """Apply ``fields`` and announce ``kind`` (updated, withdrawn) in one transaction."""

        async def write(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.news.find_one_and_update(
                {"_id": news_id, "state": NewsState.PUBLISHED.value},
                {
                    "$set": {**fields, "updated_at": datetime.now(UTC), "updated_by": by},
                    "$inc": {"version": 1},
                },
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise DomainError(404, f"No published news with id {news_id}", "news_id")
            _aware(doc)
            await self.outbox.add(
                session, topic=Topic.COMMUNITY_NEWS, envelope=news_event(kind, doc)
            )
            return doc

        result: dict[str, Any] = await self._transaction(write)
        return result

    async def get(self, news_id: str) -> dict[str, Any] | None:
        return _aware(await self.news.find_one({"_id": news_id}))

    async def page(self, limit: int, after: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Published news, newest first, up to ``limit + 1`` (the extra tells of a next page),
        after the position ``{"at": iso time, "id": news id}`` of a cursor."""
        query: dict[str, Any] = {"state": NewsState.PUBLISHED.value}
        if after:
            try:
                at = datetime.fromisoformat(str(after["at"]))
                last = str(after["id"])
            except (KeyError, ValueError) as exc:
                raise DomainError(422, "The cursor is not valid", "cursor") from exc
            at = at.astimezone(UTC).replace(tzinfo=None)
            query["$or"] = [
                {"published_at": {"$lt": at}},
                {"published_at": at, "_id": {"$lt": last}},
            ]
        cursor = self.news.find(query).sort([("published_at", DESCENDING), ("_id", DESCENDING)])
        return [d for d in [_aware(doc) async for doc in cursor.limit(limit + 1)] if d]
