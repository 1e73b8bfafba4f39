"""The only module that queries the events collection. Every change writes its event to the
outbox in the same transaction."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_community.events.envelopes import event_event
from htk_contracts.community_news import EventState
from htk_contracts.topics import Topic
from htk_runtime.errors import DomainError
from htk_runtime.outbox import Outbox

EVENTS = "community_events"
TIMES = ("starts_at", "ends_at", "updated_at")


def _aware(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    if doc is None:
        return None
    for key in TIMES:
        if isinstance(doc.get(key), datetime) and doc[key].tzinfo is None:
            doc[key] = doc[key].replace(tzinfo=UTC)
    return doc


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


class EventStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.db = db
        self.events = db[EVENTS]
        self.outbox = outbox

    async def ensure_indexes(self) -> None:
        await self.events.create_index([("state", 1), ("ends_at", 1), ("starts_at", 1)])

    async def _transaction(self, write: Callable[[AsyncClientSession], Awaitable[Any]]) -> Any:
        async with self.db.client.start_session() as session:
            result = await session.with_transaction(write)
        self.outbox.notify()
        return result

    async def create(self, by: str, fields: dict[str, Any]) -> dict[str, Any]:
        doc = {
            "_id": str(uuid4()),
            "version": 1,
            **fields,
            "state": EventState.ANNOUNCED.value,
            "updated_at": datetime.now(UTC),
            "created_by": by,
            "updated_by": by,
        }

        async def write(session: AsyncClientSession) -> None:
            await self.events.insert_one(doc, session=session)
            await self.outbox.add(
                session, topic=Topic.COMMUNITY_EVENTS, envelope=event_event("announced", doc)
            )

        await self._transaction(write)
        return doc

    async def change(
        self,
        event_id: str,
        by: str,
        kind: str,
        authorise: Callable[[dict[str, Any]], None],
        fields: dict[str, Any],
    ) -> dict[str, Any]:
        """Check who may (``authorise`` raises), apply ``fields``, announce ``kind``: one
        transaction."""

        async def write(session: AsyncClientSession) -> dict[str, Any]:
            held = _aware(await self.events.find_one({"_id": event_id}, session=session))
            if held is None:
                raise DomainError(404, f"No event with id {event_id}", "event_id")
            authorise(held)
            doc = await self.events.find_one_and_update(
                {"_id": event_id, "version": held["version"]},
                {
                    "$set": {**fields, "updated_at": datetime.now(UTC), "updated_by": by},
                    "$inc": {"version": 1},
                },
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise DomainError(409, "The event changed meanwhile; try again", "event_id")
            _aware(doc)
            await self.outbox.add(
                session, topic=Topic.COMMUNITY_EVENTS, envelope=event_event(kind, doc)
            )
            return doc

        result: dict[str, Any] = await self._transaction(write)
        return result

    async def get(self, event_id: str) -> dict[str, Any] | None:
        return _aware(await self.events.find_one({"_id": event_id}))

    async def page(
        self,
        *,
        now: datetime,
        past: bool,
        organisation_type: str | None,
        county: str | None,
        sub_goal: str | None,
        limit: int,
        after: dict[str, Any] | None,
    ) -> list[dict[str, Any]]:
        """Upcoming events (not ended yet) soonest first, or past ones latest first; up to
        ``limit + 1``. An event for every kind of organisation (none listed) matches any
        kind asked for, and a national one (no county) any county."""
        clauses: list[dict[str, Any]] = [{"state": EventState.ANNOUNCED.value}]
        clauses.append({"ends_at": {"$lt": _naive(now)} if past else {"$gte": _naive(now)}})
        if organisation_type:
            clauses.append(
                {"$or": [{"organisation_types": organisation_type}, {"organisation_types": []}]}
            )
        if county:
            clauses.append({"$or": [{"counties": county}, {"counties": []}]})
        if sub_goal:
            clauses.append({"sub_goals": sub_goal})
        order = DESCENDING if past else ASCENDING
        if after:
            try:
                at = _naive(datetime.fromisoformat(str(after["at"])))
                last = str(after["id"])
            except (KeyError, ValueError, TypeError) as exc:
                raise DomainError(422, "The cursor is not valid", "cursor") from exc
            beyond = "$lt" if past else "$gt"
            clauses.append(
                {"$or": [{"starts_at": {beyond: at}}, {"starts_at": at, "_id": {beyond: last}}]}
            )
        cursor = self.events.find({"$and": clauses}).sort([("starts_at", order), ("_id", order)])
        return [d for d in [_aware(doc) async for doc in cursor.limit(limit + 1)] if d]
