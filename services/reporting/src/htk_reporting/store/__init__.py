"""The store: the only part of reporting that runs database queries.

This module names the collections, makes their indexes and keeps the pointer to the live
generation of the aggregates; the queries are in the modules beside it, by collection: ``log``
(the action log), ``actions``, ``aggregates`` (cells and series), ``catalogue`` (the plan and
organisations read copies, the rebuild lease), ``snapshots`` and ``past`` (figures at past
dates, cached)."""

import re
import time
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

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
PAST = "past_figures"  # figures at past dates, cached (counting/past.py)
SNAPSHOTS = "snapshots"
SNAPSHOT_CELLS = "snapshot_cells"
SNAPSHOT_ACTIONS = "snapshot_actions"
# One document per discussion message (community.discussion.v1): where and when, whether removed;
# the log the dialogue figures are counted from (store/dialogue.py).
DIALOGUE = "dialogue_messages"


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[LOG].create_index([("action_id", ASCENDING), ("version", ASCENDING)])
    await db[LOG].create_index([("time", ASCENDING)])
    # What was applied since a cached past day was computed (counting/past.py).
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
