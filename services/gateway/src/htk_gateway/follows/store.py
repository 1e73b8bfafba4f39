"""What members follow, the changes kept for their digests, and when each last got one: the
only module of follows that queries the database."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from htk_contracts.envelope import Envelope
from htk_runtime.consumer import action_event
from htk_runtime.mongo import ensure_ttl_index

FOLLOWS = "follows"
CHANGES = "follow_changes"
DIGESTS = "follow_digests"
PUBLIC_KINDS = ("published", "updated", "withdrawn")
# Retention (deploy/README.md): a change is kept for the digests this long, far beyond the
# longest digest period, then deleted by the database.
CHANGE_RETENTION = timedelta(days=90)


class Kind(StrEnum):
    ACTION = "action"
    ORGANISATION = "organisation"
    MEASURE = "measure"
    REGION = "region"


class Follows:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.follows = db[FOLLOWS]
        self.changes = db[CHANGES]
        self.digests = db[DIGESTS]

    async def ensure_indexes(self) -> None:
        await self.follows.create_index([("member_id", ASCENDING)])
        await ensure_ttl_index(self.changes, "at", int(CHANGE_RETENTION.total_seconds()))

    async def follow(self, member_id: str, kind: Kind, target: str) -> None:
        try:
            await self.follows.insert_one(
                {
                    "_id": f"{member_id}|{kind.value}|{target}",
                    "member_id": member_id,
                    "kind": kind.value,
                    "target": target,
                    "since": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            pass

    async def stop(self, member_id: str, kind: Kind, target: str) -> None:
        await self.follows.delete_one({"_id": f"{member_id}|{kind.value}|{target}"})

    async def stop_all(self, member_id: str) -> int:
        return (await self.follows.delete_many({"member_id": member_id})).deleted_count

    async def of(self, member_id: str) -> list[dict[str, Any]]:
        return await self.follows.find({"member_id": member_id}).sort("_id", 1).to_list()

    async def is_following(self, member_id: str, kind: str, target: str) -> bool:
        return await self.follows.find_one({"_id": f"{member_id}|{kind}|{target}"}) is not None

    async def targets(self, member_id: str, kind: str) -> set[str]:
        return {f["target"] for f in await self.of(member_id) if f["kind"] == kind}

    async def record(self, envelope: Envelope[dict[str, Any]]) -> bool:
        """Keep a public change for the digests; a replayed event is kept once."""
        event = action_event(envelope)
        if event.kind not in PUBLIC_KINDS:
            return False
        action = getattr(event, "action", None)
        try:
            await self.changes.insert_one(
                {
                    "_id": f"{envelope.subject}:{envelope.aggregateversion}",
                    "action_id": envelope.subject,
                    "kind": event.kind,
                    "title": action.title if action else None,
                    "organisation_id": action.organisation_id if action else event.organisation_id,
                    "measures": action.measures if action else [],
                    "regions": [*action.counties, *action.municipalities] if action else [],
                    "at": envelope.time,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def due(self, period: timedelta, now: datetime) -> list[str]:
        """Members who follow something and had no digest within ``period``."""
        members = set(await self.follows.distinct("member_id"))
        recent = {
            d["_id"]
            async for d in self.digests.find(
                {"_id": {"$in": sorted(members)}, "sent_at": {"$gt": now - period}}
            )
        }
        return sorted(members - recent)

    async def changes_for(self, member_id: str, since: datetime) -> list[dict[str, Any]]:
        follows = await self.of(member_id)
        if not follows:
            return []
        wanted: dict[str, set[str]] = {}
        for f in follows:
            wanted.setdefault(f["kind"], set()).add(f["target"])
        query = {
            "at": {"$gt": since},
            "$or": [
                {"action_id": {"$in": sorted(wanted.get("action", set()))}},
                {"organisation_id": {"$in": sorted(wanted.get("organisation", set()))}},
                {"measures": {"$in": sorted(wanted.get("measure", set()))}},
                {"regions": {"$in": sorted(wanted.get("region", set()))}},
            ],
        }
        latest: dict[str, dict[str, Any]] = {}
        async for change in self.changes.find(query).sort("at", 1):
            latest[change["action_id"]] = change
        return list(latest.values())

    async def last_digest(self, member_id: str) -> datetime | None:
        doc = await self.digests.find_one({"_id": member_id})
        return doc["sent_at"] if doc else None

    async def mark_sent(self, member_id: str, at: datetime) -> None:
        await self.digests.update_one({"_id": member_id}, {"$set": {"sent_at": at}}, upsert=True)
