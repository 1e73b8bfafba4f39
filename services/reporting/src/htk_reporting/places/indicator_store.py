"""Indicator collections of the reporting database and the queries on them."""

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.places.indicators import IndicatorMeta
from htk_runtime.keyset import paged

INDICATORS = "indicators"  # one per indicator: titles, source, unit, sub-goals, current version
BY_ID = (("_id", ASCENDING),)  # the list of indicators pages by their number
INDICATOR_VALUES = "indicator_values"  # (indicator, version, kind, code, year) -> value
INDICATOR_IMPORTS = "indicator_imports"  # one per import: when, from where, how many values

Db = AsyncDatabase[dict[str, Any]]


async def ensure_indexes(db: Db) -> None:
    await db[INDICATOR_VALUES].create_index(
        [("indicator", ASCENDING), ("version", ASCENDING), ("kind", ASCENDING)]
    )
    await db[INDICATOR_VALUES].create_index([("kind", ASCENDING), ("code", ASCENDING)])


async def save_import(
    db: Db, meta: IndicatorMeta, values: list[dict[str, Any]], source: str
) -> int:
    """Store a checked import as the indicator's next version, then make it current; earlier
    versions' values are removed once the new one is in force (the import log keeps the record)."""
    await ensure_indexes(db)
    held = await db[INDICATORS].find_one({"_id": meta.id}) or {}
    version = int(held.get("version", 0)) + 1
    if values:
        await db[INDICATOR_VALUES].insert_many(
            [{**v, "indicator": meta.id, "version": version} for v in values]
        )
    await db[INDICATORS].update_one(
        {"_id": meta.id},
        {
            "$set": {
                "title": meta.title,
                "organisation": meta.organisation,
                "unit": meta.unit,
                "example": meta.example,
                "version": version,
                "imported_at": datetime.now(UTC),
                "years": sorted({v["year"] for v in values}),
            },
            # Links made by coordinators survive a new import; a file may add its own.
            "$addToSet": {"sub_goals": {"$each": meta.sub_goals}},
        },
        upsert=True,
    )
    await db[INDICATOR_VALUES].delete_many({"indicator": meta.id, "version": {"$lt": version}})
    await db[INDICATOR_IMPORTS].insert_one(
        {
            "indicator": meta.id,
            "version": version,
            "source": source,
            "values": len(values),
            "example": meta.example,
            "at": datetime.now(UTC),
        }
    )
    return version


async def indicators(
    db: Db, limit: int | None = None, position: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Indicators by id; with ``limit``, up to ``limit + 1`` after ``position``."""
    found = db[INDICATORS].find(paged({}, position, BY_ID)).sort(list(BY_ID))
    if limit is not None:
        found = found.limit(limit + 1)
    return await found.to_list()


async def indicator(db: Db, ident: int) -> dict[str, Any] | None:
    return await db[INDICATORS].find_one({"_id": ident})


async def values(db: Db, ind: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    query = {"indicator": ind["_id"], "version": ind["version"], "kind": kind}
    return await db[INDICATOR_VALUES].find(query).to_list()


async def values_of_place(db: Db, kind: str, code: str) -> list[dict[str, Any]]:
    current = {i["_id"]: i["version"] for i in await indicators(db)}
    found = await db[INDICATOR_VALUES].find({"kind": kind, "code": code}).to_list()
    return [v for v in found if current.get(v["indicator"]) == v["version"]]


async def link_sub_goals(db: Db, ident: int, sub_goals: list[str]) -> None:
    await db[INDICATORS].update_one({"_id": ident}, {"$set": {"sub_goals": sub_goals}})
