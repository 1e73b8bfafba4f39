"""Collections of the reporting database and the indexes its queries need."""

from collections.abc import AsyncIterator
from typing import Any

from bson import decode_all
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

LOG = "action_log"  # one entry per action version: the source events
ACTIONS = "actions"  # each action's current public state and workflow state
CELLS = "cells"  # live aggregates, one document per (plan node, scope)
SERIES = "series"  # organisations and municipalities per (plan node, scope, period kind, quarter)
PLAN = "plan"  # the plan version in force (read copy of catalogue.plan.v1)
ORGANISATIONS = "organisations"  # read copy of catalogue.organisations.v1
SNAPSHOTS = "snapshots"
SNAPSHOT_CELLS = "snapshot_cells"
SNAPSHOT_ACTIONS = "snapshot_actions"


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[LOG].create_index([("action_id", ASCENDING), ("version", ASCENDING)])
    await db[LOG].create_index([("time", ASCENDING)])
    await db[ACTIONS].create_index([("published", ASCENDING), ("codes", ASCENDING)])
    await db[ACTIONS].create_index([("scopes", ASCENDING)])
    await db[ACTIONS].create_index([("workflow_state", ASCENDING)])
    await db[ACTIONS].create_index([("public.organisation_id", ASCENDING)])
    # Place pages list the actions naming a county as a whole.
    await db[ACTIONS].create_index([("public.counties", ASCENDING)])
    await db[CELLS].create_index([("scope", ASCENDING)])
    await db[CELLS].create_index([("node", ASCENDING)])
    await db[SERIES].create_index([("cell", ASCENDING), ("kind", ASCENDING)])
    await db[SNAPSHOTS].create_index([("year", ASCENDING), ("frozen_at", DESCENDING)])
    await db[SNAPSHOT_CELLS].create_index([("snapshot_id", ASCENDING), ("scope", ASCENDING)])
    await db[SNAPSHOT_ACTIONS].create_index([("snapshot_id", ASCENDING)])


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
