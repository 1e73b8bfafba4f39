"""Collections of the reporting database and the indexes its queries need."""

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import decode_all
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.keyset import paged

LOG = "action_log"  # one entry per action version: the source events
ACTIONS = "actions"  # each action's current public state and workflow state
CELLS = "cells"  # live aggregates, one document per (plan node, scope)
SERIES = "series"  # organisations and municipalities per (plan node, scope, period kind, quarter)
# Which generation of the cells and series is live: {_id: "current", generation: N}. Each full
# rebuild writes a new generation beside and switches by updating this one document (SecantusDB
# copies a collection to rename it: 5 s per rebuild at 100,000 actions).
AGGREGATES = "aggregates"
PLAN = "plan"  # the plan version in force (read copy of catalogue.plan.v1)
LEASES = "leases"  # "rebuild": the replica rebuilding, and the switch it is making
ORGANISATIONS = "organisations"  # read copy of catalogue.organisations.v1
PAST = "past_figures"  # figures at past dates, cached (past.py)
SNAPSHOTS = "snapshots"
SNAPSHOT_CELLS = "snapshot_cells"
SNAPSHOT_ACTIONS = "snapshot_actions"


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[LOG].create_index([("action_id", ASCENDING), ("version", ASCENDING)])
    await db[LOG].create_index([("time", ASCENDING)])
    # What was applied since a cached past day was computed (past.py).
    await db[LOG].create_index([("applied_at", ASCENDING)])
    await db[ORGANISATIONS].create_index([("applied_at", ASCENDING)])
    await db[PAST].create_index([("generation", ASCENDING)])
    await db[PAST].create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
    await db[ACTIONS].create_index([("published", ASCENDING), ("codes", ASCENDING)])
    await db[ACTIONS].create_index([("scopes", ASCENDING)])
    await db[ACTIONS].create_index([("workflow_state", ASCENDING)])
    await db[ACTIONS].create_index([("public.organisation_id", ASCENDING)])
    await ensure_aggregate_indexes(db)
    # Place pages list the actions naming a county as a whole.
    await db[ACTIONS].create_index([("public.counties", ASCENDING)])
    await db[SNAPSHOTS].create_index([("year", ASCENDING), ("frozen_at", DESCENDING)])
    await db[SNAPSHOT_CELLS].create_index([("snapshot_id", ASCENDING), ("scope", ASCENDING)])
    await db[SNAPSHOT_ACTIONS].create_index([("snapshot_id", ASCENDING)])


async def ensure_aggregate_indexes(
    db: AsyncDatabase[dict[str, Any]], generation: "Generation | None" = None
) -> None:
    """The indexes of the cells and series of ``generation`` (default: the live one)."""
    g = generation or await read_generation(db)
    await db[g.cells].create_index([("scope", ASCENDING)])
    await db[g.cells].create_index([("node", ASCENDING)])
    await db[g.series].create_index([("cell", ASCENDING), ("kind", ASCENDING)])


@dataclass(frozen=True)
class Generation:
    """The names of one generation's cells and series: a read that needs both takes them from
    one Generation, so that it never mixes two."""

    number: int
    cells: str
    series: str


_GENERATION_NAME = re.compile(rf"^(?:{CELLS}|{SERIES})_g([0-9]+)$")


def generation(number: int) -> Generation:
    # 0: the names from before generations, so that a database written then reads as it was.
    if number == 0:
        return Generation(0, CELLS, SERIES)
    return Generation(number, f"{CELLS}_g{number}", f"{SERIES}_g{number}")


def generation_of(pointer: dict[str, Any] | None) -> Generation:
    """The generation a pointer document (``AGGREGATES/current``, or None) names."""
    return generation(int(pointer["generation"]) if pointer else 0)


async def read_generation(db: AsyncDatabase[dict[str, Any]]) -> Generation:
    return generation_of(await db[AGGREGATES].find_one({"_id": "current"}))


async def point_to(db: AsyncDatabase[dict[str, Any]], g: Generation) -> None:
    """The switch: one document, so readers see the old generation or the new one whole."""
    await db[AGGREGATES].replace_one(
        {"_id": "current"}, {"_id": "current", "generation": g.number}, upsert=True
    )


async def drop_generations(db: AsyncDatabase[dict[str, Any]], below: int) -> None:
    """Drops the generations older than ``below`` (dropping is near-instant on SecantusDB);
    the newer ones are live or being written under the lease."""
    for name in await db.list_collection_names():
        found = _GENERATION_NAME.match(name)
        number = int(found.group(1)) if found else (0 if name in (CELLS, SERIES) else None)
        if number is not None and number < below:
            await db[name].drop()


class Aggregates:
    """The live generation as readers see it: cached for ``max_age`` seconds (one lookup per
    request would cost a round trip each), and set at once by a switch in this process."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], max_age: float = 2.0) -> None:
        self.db = db
        self.max_age = max_age
        self._current: Generation | None = None
        self._read_at = 0.0

    async def current(self) -> Generation:
        if self._current is None or time.monotonic() - self._read_at > self.max_age:
            self.switched(await read_generation(self.db))
        assert self._current is not None
        return self._current

    async def fresh(self) -> Generation:
        """Read now: for writers, which must never write into a generation switched away."""
        self.switched(await read_generation(self.db))
        assert self._current is not None
        return self._current

    def switched(self, g: Generation) -> None:
        self._current, self._read_at = g, time.monotonic()


async def log_in_order(
    db: AsyncDatabase[dict[str, Any]], entries_per_chunk: int = 5000
) -> AsyncIterator[bytes]:
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
    db: AsyncDatabase[dict[str, Any]], end: datetime, window: timedelta = timedelta(days=14)
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
    db: AsyncDatabase[dict[str, Any]],
) -> AsyncIterator[list[list[dict[str, Any]]]]:
    """Every action's public log entries in version order, a chunk of the log at a time."""
    actions = ByAction(db.codec_options)
    async for chunk in log_in_order(db):
        if batch := actions.feed(chunk):
            yield batch
    if rest := actions.rest():
        yield rest


def flatten(doc: dict[str, Any]) -> dict[str, int]:
    """A cell document's counters as ``field.key`` -> value (the shape contributions use)."""
    out: dict[str, int] = {}
    for name, value in doc.items():
        if name in ("_id", "node", "scope", "snapshot_id", "cell", "kind", "quarter"):
            continue
        if isinstance(value, dict):
            for key, count in value.items():
                out[f"{name}.{key}"] = int(count)
        elif isinstance(value, int):
            out[name] = value
    return out


# Lists page by a unique key: actions by id, snapshots newest first (the id breaks ties).
ACTIONS_BY_ID = (("_id", ASCENDING),)
SNAPSHOTS_NEWEST_FIRST = (("frozen_at", DESCENDING), ("_id", DESCENDING))


async def actions_page(
    db: AsyncDatabase[dict[str, Any]],
    query: dict[str, Any],
    limit: int,
    position: dict[str, Any] | None,
) -> tuple[int, list[dict[str, Any]]]:
    """How many actions match, and up to ``limit + 1`` of them after ``position``, by id."""
    total = await db[ACTIONS].count_documents(query)
    found = (
        await db[ACTIONS]
        .find(paged(query, position, ACTIONS_BY_ID))
        .sort(list(ACTIONS_BY_ID))
        .limit(limit + 1)
        .to_list()
    )
    return total, found


async def snapshots_page(
    db: AsyncDatabase[dict[str, Any]], limit: int, position: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` snapshots (without their report) after ``position``, newest first."""
    query = paged({}, position, SNAPSHOTS_NEWEST_FIRST, times=("frozen_at",))
    return (
        await db[SNAPSHOTS]
        .find(query, {"report": 0})
        .sort(list(SNAPSHOTS_NEWEST_FIRST))
        .limit(limit + 1)
        .to_list()
    )
