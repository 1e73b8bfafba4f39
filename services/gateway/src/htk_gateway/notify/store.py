"""Where notifications are kept: events waiting to be notified, who was notified of what (one
record per event and recipient, so a redelivered event never mails twice), members' choices per
kind, and when each member last had a digest."""

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

JOBS = "notify_jobs"
SENT = "notify_sent"
PREFERENCES = "notify_preferences"
DIGESTS = "notify_digests"


class NotifyStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.jobs = db[JOBS]
        self.sent = db[SENT]
        self.preferences = db[PREFERENCES]
        self.digests = db[DIGESTS]

    async def ensure_indexes(self) -> None:
        await self.jobs.create_index([("done", ASCENDING), ("at", ASCENDING)])
        await self.sent.create_index([("member_id", ASCENDING)])
        await self.sent.create_index([("about", ASCENDING)])
        await self.jobs.create_index([("about", ASCENDING)])
        await self.sent.create_index([("delivery", ASCENDING), ("digested", ASCENDING)])

    # Jobs: an event to notify, kept until every recipient was handled.

    async def add_job(self, job: dict[str, Any]) -> bool:
        """Keep an event to notify; False when it was kept before (a redelivery)."""
        try:
            await self.jobs.insert_one({**job, "done": False, "attempts": 0})
        except DuplicateKeyError:
            return False
        return True

    async def job(self, job_id: str) -> dict[str, Any] | None:
        return await self.jobs.find_one({"_id": job_id, "done": False})

    async def pending_jobs(self, limit: int = 100) -> list[dict[str, Any]]:
        return await self.jobs.find({"done": False}).sort("at", 1).limit(limit).to_list()

    async def finish_job(self, job_id: str) -> None:
        await self.jobs.update_one({"_id": job_id}, {"$set": {"done": True, "data": {}}})

    async def failed_attempt(self, job_id: str, error: str) -> None:
        await self.jobs.update_one(
            {"_id": job_id}, {"$inc": {"attempts": 1}, "$set": {"error": error[:500]}}
        )

    # Sent notifications: the record goes in before the mail, so a retry never mails twice.

    async def claim(self, record: dict[str, Any]) -> bool:
        try:
            await self.sent.insert_one(record)
        except DuplicateKeyError:
            return False
        return True

    async def waiting_for_digest(self) -> dict[str, list[dict[str, Any]]]:
        by_member: dict[str, list[dict[str, Any]]] = {}
        async for doc in self.sent.find({"delivery": "digest", "digested": None}).sort("at", 1):
            by_member.setdefault(doc["member_id"], []).append(doc)
        return by_member

    async def mark_digested(self, ids: list[str], at: datetime) -> None:
        await self.sent.update_many({"_id": {"$in": ids}}, {"$set": {"digested": at}})

    async def last_digest(self, member_id: str) -> datetime | None:
        doc = await self.digests.find_one({"_id": member_id})
        return doc["sent_at"].replace(tzinfo=UTC) if doc else None

    async def mark_digest_sent(self, member_id: str, at: datetime) -> None:
        await self.digests.update_one({"_id": member_id}, {"$set": {"sent_at": at}}, upsert=True)

    # Preferences: kind -> immediate, digest or never; a kind not chosen has its default.

    async def choices(self, member_id: str) -> dict[str, str]:
        doc = await self.preferences.find_one({"_id": member_id})
        return dict(doc["kinds"]) if doc else {}

    async def choose(self, member_id: str, choices: dict[str, str]) -> None:
        fields = {f"kinds.{kind}": delivery for kind, delivery in choices.items()}
        if not fields:
            return  # an empty $set is an error
        await self.preferences.update_one({"_id": member_id}, {"$set": fields}, upsert=True)

    # Personal data: what is held about one member, and forgetting it.

    async def of_member(self, member_id: str) -> dict[str, Any]:
        sent = await self.sent.find({"member_id": member_id}).sort("at", 1).to_list()
        return {
            "preferences": await self.choices(member_id),
            "notifications": [
                {k: doc.get(k) for k in ("kind", "delivery", "at", "values", "digested")}
                for doc in sent
            ],
            "last_digest": await self.last_digest(member_id),
        }

    async def forget(self, member_id: str) -> None:
        """Everything about the member: what was sent to them, and what was sent to others
        about them (a membership request names the asker), with the events kept for that."""
        await self.sent.delete_many({"$or": [{"member_id": member_id}, {"about": member_id}]})
        await self.jobs.delete_many({"about": member_id})
        await self.preferences.delete_one({"_id": member_id})
        await self.digests.delete_one({"_id": member_id})
