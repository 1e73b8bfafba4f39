"""Queries on the aggregates of one generation: the cells (one document per plan node and
scope) and the key series. The caller names the generation, so a read that needs both takes them
from one answer."""

from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import AGGREGATES, Generation, generation_of

Db = AsyncDatabase[dict[str, Any]]
Docs = dict[str, dict[str, Any]]


async def cells(
    db: Db, g: Generation, *, scope: str | None = None, node: str | None = None
) -> Docs:
    """The cells of ``scope`` and/or ``node`` (every cell without either)."""
    query: dict[str, Any] = {}
    if scope:
        query["scope"] = scope
    if node:
        query["node"] = node
    return {d["_id"]: d async for d in db[g.cells].find(query)}


async def all_cells(db: Db, g: Generation) -> list[dict[str, Any]]:
    return await db[g.cells].find({}).to_list()


async def all_series(db: Db, g: Generation) -> list[dict[str, Any]]:
    return await db[g.series].find({}).to_list()


async def cell(db: Db, g: Generation, cell_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await db[g.cells].find_one({"_id": cell_id})
    return found


async def cells_by_id(db: Db, g: Generation, ids: list[str], *fields: str) -> Docs:
    """Cells by id with only ``fields`` (all of them without)."""
    projection = dict.fromkeys(fields, 1) if fields else None
    return {d["_id"]: d async for d in db[g.cells].find({"_id": {"$in": ids}}, projection)}


async def key_series(db: Db, g: Generation, cell_id: str, kind: str) -> list[dict[str, Any]]:
    return await db[g.series].find({"cell": cell_id, "kind": kind}).to_list()


async def live_in(db: Db, session: AsyncClientSession) -> Generation:
    """The live generation read in the writing transaction: never a cached one, which may name a
    generation another replica has just switched away from."""
    pointer = await db[AGGREGATES].find_one({"_id": "current"}, session=session)
    return generation_of(pointer)


async def add_to_cells(
    db: Db,
    g: Generation,
    changes: dict[str, tuple[dict[str, int], dict[str, Any]]],
    session: AsyncClientSession | None,
) -> None:
    """Adds to each cell's counters, creating it with its labels: id -> (increments, labels)."""
    await _add(db, g.cells, changes, session)


async def add_to_series(
    db: Db,
    g: Generation,
    changes: dict[str, tuple[dict[str, int], dict[str, Any]]],
    session: AsyncClientSession | None,
) -> None:
    await _add(db, g.series, changes, session)


async def _add(
    db: Db,
    collection: str,
    changes: dict[str, tuple[dict[str, int], dict[str, Any]]],
    session: AsyncClientSession | None,
) -> None:
    if not changes:
        return
    ops = [
        UpdateOne({"_id": i}, {"$inc": inc, "$setOnInsert": labels}, upsert=True)
        for i, (inc, labels) in changes.items()
    ]
    await db[collection].bulk_write(ops, ordered=False, session=session)


async def drop(db: Db, collection: str) -> None:
    await db[collection].drop()


async def insert(db: Db, collection: str, docs: list[dict[str, Any]], batch: int = 5000) -> None:
    for start in range(0, len(docs), batch):
        await db[collection].insert_many(docs[start : start + batch], ordered=False)
