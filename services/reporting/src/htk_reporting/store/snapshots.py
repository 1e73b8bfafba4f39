"""Queries on snapshots: the frozen copies of the aggregates and action versions, and each
snapshot's report."""

from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import SNAPSHOT_ACTIONS, SNAPSHOT_CELLS, SNAPSHOTS
from htk_runtime.keyset import paged

Db = AsyncDatabase[dict[str, Any]]
BATCH = 5000


async def listed(db: Db) -> list[dict[str, Any]]:
    """Every snapshot without its report, newest first."""
    return await db[SNAPSHOTS].find({}, {"report": 0}).sort("frozen_at", -1).to_list()


async def summary(db: Db, snapshot_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await db[SNAPSHOTS].find_one({"_id": snapshot_id}, {"report": 0})
    return found


async def latest(
    db: Db, year: int, snapshot_id: str | None = None, plan_version: int | None = None
) -> dict[str, Any] | None:
    """The newest snapshot of ``year`` (that one, or made under ``plan_version``)."""
    query: dict[str, Any] = {"year": year}
    if snapshot_id:
        query["_id"] = snapshot_id
    if plan_version is not None:
        query["plan_version"] = plan_version
    found: dict[str, Any] | None = await db[SNAPSHOTS].find_one(query, sort=[("frozen_at", -1)])
    return found


async def add_cells(db: Db, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await db[SNAPSHOT_CELLS].insert_many(rows[start : start + BATCH], ordered=False)


async def add_actions(db: Db, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await db[SNAPSHOT_ACTIONS].insert_many(rows[start : start + BATCH], ordered=False)


async def add(db: Db, snapshot: dict[str, Any]) -> None:
    await db[SNAPSHOTS].insert_one(snapshot)


async def cells_of(db: Db, snapshot_id: str, scope: str | None = None) -> dict[str, dict[str, Any]]:
    query: dict[str, Any] = {"snapshot_id": snapshot_id}
    if scope:
        query["scope"] = scope
    return {d["cell"]: d async for d in db[SNAPSHOT_CELLS].find(query)}


# Newest first, the id breaking ties (htk_runtime.listing).
NEWEST_FIRST = (("frozen_at", DESCENDING), ("_id", DESCENDING))


async def page(
    db: AsyncDatabase[dict[str, Any]], limit: int, position: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` snapshots (without their report) after ``position``, newest first."""
    query = paged({}, position, NEWEST_FIRST, times=("frozen_at",))
    return (
        await db[SNAPSHOTS]
        .find(query, {"report": 0})
        .sort(list(NEWEST_FIRST))
        .limit(limit + 1)
        .to_list()
    )
