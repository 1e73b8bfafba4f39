"""Queries on ``ACTIONS``: each action's current public state (what the figures count) and its
workflow state (the review pipeline)."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import ACTIONS
from htk_runtime.keyset import paged

Db = AsyncDatabase[dict[str, Any]]
Query = dict[str, Any]

# -- the projection ------------------------------------------------------------------------


async def held(db: Db, action_id: str, session: AsyncClientSession) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await db[ACTIONS].find_one({"_id": action_id}, session=session)
    return found


async def set_fields(
    db: Db, action_id: str, fields: dict[str, Any], session: AsyncClientSession
) -> None:
    await db[ACTIONS].update_one({"_id": action_id}, {"$set": fields}, upsert=True, session=session)


async def counted_under_other_type(db: Db, org_id: str, org_type: str) -> list[dict[str, Any]]:
    """The organisation's published actions counted under another type (or none)."""
    query = {"public.organisation_id": org_id, "published": True, "org_type": {"$ne": org_type}}
    return await db[ACTIONS].find(query).to_list()


async def public_versions(db: Db) -> list[dict[str, Any]]:
    """Every action that has had a public version: its id, ``public_version`` and
    ``published``."""
    return (
        await db[ACTIONS]
        .find({"public_version": {"$gt": 0}}, {"public_version": 1, "published": 1})
        .to_list()
    )


# -- the actions behind a figure -------------------------------------------------------------


def behind(
    scope: str,
    codes: list[str] | None = None,
    field: str | None = None,
    value: Any = None,
    confirmed: tuple[datetime | None, datetime | None] | None = None,
) -> Query:
    """The published actions in ``scope``, serving one of ``codes``, with ``field`` equal to
    ``value``, confirmed in [start, end) of ``confirmed``."""
    query: Query = {"published": True, "scopes": scope}
    if codes is not None:
        query["codes"] = {"$in": codes}
    if field is not None:
        query[field] = value
    if confirmed is not None:
        start, end = confirmed
        bounds = {"$gte": start} if start else {}
        if end:
            bounds["$lt"] = end
        query["public.confirmed_at"] = bounds
    return query


# Lists page by a unique key (htk_runtime.listing): actions by id.
BY_ID = (("_id", ASCENDING),)


async def page(
    db: Db, query: Query, limit: int, position: dict[str, Any] | None
) -> tuple[int, list[dict[str, Any]]]:
    """How many actions match, and up to ``limit + 1`` of them after ``position``, by id."""
    total = await db[ACTIONS].count_documents(query)
    found = (
        await db[ACTIONS]
        .find(paged(query, position, BY_ID))
        .sort(list(BY_ID))
        .limit(limit + 1)
        .to_list()
    )
    return total, found


# Place pages' lists. Each reads by one index without a sort or a count (the totals come from
# the aggregates): at 100,000 actions sorting or counting the national list's 10,000 took
# seconds on the embedded database. Only published actions have scopes (a withdrawn one's are
# emptied), so there is no "published" condition either: with it the database chose the
# (published, codes) index and scanned every action.


def in_scope(scope: str) -> Query:
    return {"scopes": scope}


def own_in_country() -> Query:
    """Every action but the national ones."""
    return {"scopes": "all", "public.national": False}


def county_wide(county: str | None) -> Query:
    # By the county-wide index alone (only published actions have public facts): through the
    # scopes index this scanned every action of the county when few name it as a whole.
    return {"public.counties": county}


def own_in_county(county: str | None) -> Query:
    """A county's actions naming one of its municipalities rather than the county as a whole."""
    return {"scopes": f"county:{county}", "public.counties": {"$ne": county}}


async def first(db: Db, query: Query, limit: int) -> list[dict[str, Any]]:
    return await db[ACTIONS].find(query).limit(limit).to_list()


# -- pipeline, open data, the yearly report -------------------------------------------------


async def count_in_state(db: Db, state: str) -> int:
    return await db[ACTIONS].count_documents({"workflow_state": state})


async def waiting_since(db: Db) -> list[datetime]:
    """When each action waiting for review was submitted."""
    found = db[ACTIONS].find({"workflow_state": "submitted"}, {"workflow_since": 1})
    return [d["workflow_since"] async for d in found]


async def published_snapshots(db: Db) -> list[dict[str, Any]]:
    """Every published action's public snapshot (``snapshot``), in id order."""
    return await db[ACTIONS].find({"published": True}, {"snapshot": 1}).sort("_id", 1).to_list()


async def example_titles(db: Db, codes: list[str], limit: int) -> list[str]:
    """The first published actions serving one of ``codes``: their titles."""
    found = (
        await db[ACTIONS]
        .find({"published": True, "codes": {"$in": codes}}, {"public.title": 1})
        .sort("_id", 1)
        .limit(limit)
        .to_list()
    )
    return [e["public"]["title"] for e in found]


async def snapshot_titles(db: Db, action_ids: list[str]) -> dict[str, str | None]:
    """The title of each action's last public snapshot (None without one)."""
    return {
        a["_id"]: (a.get("snapshot") or {}).get("title")
        async for a in db[ACTIONS].find({"_id": {"$in": action_ids}})
    }


async def counted_places(db: Db, action_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The codes and scopes the published ones of ``action_ids`` count under (dialogue)."""
    cursor = db[ACTIONS].find(
        {"_id": {"$in": action_ids}, "published": True}, {"codes": 1, "scopes": 1}
    )
    return {d["_id"]: {"codes": d["codes"], "scopes": d["scopes"]} async for d in cursor}
