"""Queries on ``DIALOGUE``: the discussion messages reporting counts (model/dialogue.py).

Writes are idempotent, so replaying community.discussion.v1 in any order gives the same
documents: a posted message is inserted once, a removal marks it (or waits for it, holding the
same fields)."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import DIALOGUE

Db = AsyncDatabase[dict[str, Any]]


async def posted(db: Db, record: dict[str, Any]) -> None:
    fields = {k: v for k, v in record.items() if k != "_id"}
    await db[DIALOGUE].update_one({"_id": record["_id"]}, {"$set": fields}, upsert=True)


async def removed(db: Db, message_id: str, record: dict[str, Any]) -> None:
    await db[DIALOGUE].update_one(
        {"_id": message_id}, {"$set": {"removed": True}, "$setOnInsert": record}, upsert=True
    )


async def messages(db: Db) -> list[dict[str, Any]]:
    """Every message reporting heard of; a few thousand a year, counted at read."""
    return [d async for d in db[DIALOGUE].find({}, {"_id": 0})]
