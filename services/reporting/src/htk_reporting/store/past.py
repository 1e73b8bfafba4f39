"""Queries on the cache of figures at past dates: a head document per (date, plan, ...) key
naming its generation of rows, and one rows document per scope."""

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import PAST

Db = AsyncDatabase[dict[str, Any]]


async def head(db: Db, key: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await db[PAST].find_one({"_id": key})
    return found


async def rows(db: Db, generation: str, scope: str) -> list[Any] | None:
    doc = await db[PAST].find_one({"_id": f"{generation}|{scope}"})
    return list(doc["rows"]) if doc is not None else None


async def checked(db: Db, key: str, generation: Any, at: datetime, expires: datetime) -> None:
    await db[PAST].update_one(
        {"_id": key, "generation": generation},
        {"$set": {"checked_at": at, "expires_at": expires}},
    )


async def replace(db: Db, key: str, head: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    """Stores a generation's rows, then points ``key`` at it and drops the one it replaced."""
    for start in range(0, len(docs), 1000):
        await db[PAST].insert_many(docs[start : start + 1000], ordered=False)
    old = await db[PAST].find_one_and_replace({"_id": key}, head, upsert=True)
    if old is not None:
        await db[PAST].delete_many({"generation": old["generation"]})
