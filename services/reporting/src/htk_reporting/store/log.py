"""Queries on the action log (``LOG``): one entry per action version, the source every recount,
past date and verify is computed from."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from bson import decode_all
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import LOG

Db = AsyncDatabase[dict[str, Any]]


async def has_entry(db: Db, entry_id: str, session: AsyncClientSession) -> bool:
    return await db[LOG].find_one({"_id": entry_id}, session=session) is not None


async def add_entry(db: Db, entry: dict[str, Any], session: AsyncClientSession) -> None:
    await db[LOG].insert_one(entry, session=session)


async def public_neighbour(
    db: Db, action_id: str, version: int, after: bool, session: AsyncClientSession
) -> dict[str, Any] | None:
    """The action's nearest public entry after (or before) ``version``."""
    op, order = ("$gt", ASCENDING) if after else ("$lt", DESCENDING)
    cursor = (
        db[LOG]
        .find({"action_id": action_id, "version": {op: version}}, session=session)
        .sort("version", order)
    )
    async for e in cursor:
        if e["public_kind"]:
            return e
    return None


async def review_entries_since(db: Db, since: datetime) -> list[dict[str, Any]]:
    """Entries from ``since`` with what the review pipeline needs (action, version, kind, time)."""
    return (
        await db[LOG]
        .find({"time": {"$gte": since}}, {"action_id": 1, "version": 1, "kind": 1, "time": 1})
        .to_list()
    )


def entries_between(db: Db, start: datetime, end: datetime) -> AsyncIterator[dict[str, Any]]:
    """Entries with a time in [start, end), oldest first (the yearly report's changes)."""
    cursor: AsyncIterator[dict[str, Any]] = (
        db[LOG].find({"time": {"$gte": start, "$lt": end}}).sort("time", 1)
    )
    return cursor


async def public_applied_since(
    db: Db,
    applied_after: datetime,
    not_in: list[str],
    *,
    time_until: datetime | None = None,
) -> dict[str, Any] | None:
    """A public entry applied after ``applied_after`` other than ``not_in`` (and, with
    ``time_until``, with a time up to it): something a recount begun then did not see."""
    query: dict[str, Any] = {
        "applied_at": {"$gt": applied_after},
        "public_kind": True,
        "_id": {"$nin": not_in},
    }
    if time_until is not None:
        query["time"] = {"$lte": time_until}
    found: dict[str, Any] | None = await db[LOG].find_one(query)
    return found


async def log_in_order(db: Db, entries_per_chunk: int = 5000) -> AsyncIterator[bytes]:
    """The whole action log in (action, version) order, as chunks of raw BSON.

    Raw, so that decoding (about 2 s at 100,000 actions) happens in whichever thread counts the
    entries, and the event loop stays free to answer requests during a rebuild. Read in index
    order without a server-side filter or projection: on the embedded database those cost more
    than the documents they leave out (30,000 entries: 7.4 s with them, 4.4 s without).
    """
    raw = db[LOG].with_options(
        codec_options=db.codec_options.with_options(document_class=RawBSONDocument)
    )
    chunk: list[bytes] = []
    async for entry in raw.find({}).sort([("action_id", ASCENDING), ("version", ASCENDING)]):
        chunk.append(entry.raw)
        if len(chunk) >= entries_per_chunk:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


async def log_until(
    db: Db, end: datetime, window: timedelta = timedelta(days=14)
) -> AsyncIterator[bytes]:
    """The log entries with a time up to ``end``, as raw BSON, one time window per query.

    For the figures at a past date, read while the service answers other requests: one query
    for the whole sorted log held the embedded database for seconds (every other request waited
    behind it); a fortnight of entries is a short query, and the others get in between.
    """
    first = await db[LOG].find_one({}, sort=[("time", ASCENDING)], projection={"time": 1})
    if first is None:
        return
    raw = db[LOG].with_options(
        codec_options=db.codec_options.with_options(document_class=RawBSONDocument)
    )
    start: datetime = first["time"]
    while start <= end:
        stop = start + window
        span = {"$gte": start, "$lt": stop} if stop <= end else {"$gte": start, "$lte": end}
        chunk = [entry.raw async for entry in raw.find({"time": span})]
        if chunk:
            yield b"".join(chunk)
        start = stop


class ByAction:
    """Decodes chunks of the ordered log into each action's public entries, in version order;
    an action whose entries may continue in the next chunk is held back until then."""

    def __init__(self, codec_options: CodecOptions[dict[str, Any]]) -> None:
        self.codec_options = codec_options
        self.open: list[dict[str, Any]] = []

    def feed(self, chunk: bytes) -> list[list[dict[str, Any]]]:
        done: list[list[dict[str, Any]]] = []
        versions = self.open
        for entry in decode_all(chunk, self.codec_options):
            if not entry["public_kind"]:
                continue
            if versions and entry["action_id"] != versions[-1]["action_id"]:
                done.append(versions)
                versions = []
            versions.append(entry)
        self.open = versions
        return done

    def rest(self) -> list[list[dict[str, Any]]]:
        rest, self.open = self.open, []
        return [rest] if rest else []


async def public_log_by_action(
    db: Db,
) -> AsyncIterator[list[list[dict[str, Any]]]]:
    """Every action's public log entries in version order, a chunk of the log at a time."""
    actions = ByAction(db.codec_options)
    async for chunk in log_in_order(db):
        if batch := actions.feed(chunk):
            yield batch
    if rest := actions.rest():
        yield rest
