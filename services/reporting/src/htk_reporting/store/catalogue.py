"""Queries on the catalogue's read copies (the plan in force, organisations and their types)
and on the rebuild lease's switch mark."""

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import LEASES, ORGANISATIONS, PLAN

Db = AsyncDatabase[dict[str, Any]]


async def plan_record(db: Db) -> dict[str, Any] | None:
    """The plan in force: ``{version, plan}``."""
    found: dict[str, Any] | None = await db[PLAN].find_one({"_id": "current"})
    return found


async def record_plan(db: Db, record: dict[str, Any]) -> None:
    await db[PLAN].replace_one({"_id": "current"}, record, upsert=True)


async def org_types(db: Db) -> dict[str, str]:
    return {o["_id"]: o["type"] async for o in db[ORGANISATIONS].find({})}


async def set_org_type(db: Db, org_id: str, org_type: str, version: int, now: datetime) -> bool:
    """Records the organisation's type at ``version``; False if as new or newer is held."""
    fields = {"type": org_type, "version": version, "applied_at": now}
    result = await db[ORGANISATIONS].update_one(
        {"_id": org_id, "version": {"$lt": version}}, {"$set": fields}
    )
    if result.matched_count:
        return True
    if await db[ORGANISATIONS].find_one({"_id": org_id}):
        return False
    await db[ORGANISATIONS].insert_one({"_id": org_id, **fields})
    return True


async def org_changed_since(db: Db, since: datetime) -> bool:
    return await db[ORGANISATIONS].find_one({"applied_at": {"$gt": since}}) is not None


def leases(db: Db) -> AsyncCollection[dict[str, Any]]:
    """The lease documents, for htk_runtime.lease.Lease (which runs its own queries on them)."""
    return db[LEASES]


async def mark_switch(db: Db, lease: str, switching: dict[str, Any] | None) -> None:
    """The switch a rebuild is making (None: none), in the lease document."""
    await db[LEASES].update_one({"_id": lease}, {"$set": {"switching": switching}})
