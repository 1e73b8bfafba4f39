"""Only the reporting bench's full rebuild, with the generation switch and the rename switch it
replaced timed in the same run (``python -m bench.rebuild_switch [actions] [rounds]``).

Each round: the in-memory recount (the bench's baseline), ``Projection.rebuild`` (writes a new
generation and points ``aggregates/current`` at it), and the same recount and write followed by
the renames the rebuild did before (each generation collection renamed over a live one of the
same size, ``dropTarget``), so that the two switches meet the same load. Figures go to
``bench/results/rebuild-switch.md``.
"""

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench.bench_reporting import DATA, log_entries
from htk_runtime.embedded import mongo_uri, start_secantus
from htk_runtime.processes import free_port

RESULTS = Path(__file__).parent / "results" / "rebuild-switch.md"


async def _rounds(n: int, rounds: int, uri: str) -> list[dict[str, float]]:
    from htk_reporting import store
    from htk_reporting.counting.projection import Projection
    from htk_reporting.counting.rebuild import rebuild
    from htk_reporting.counting.recount import recount
    from htk_reporting.model.geography import load_geography
    from htk_testing.reporting_events import example_plan

    geo = load_geography(DATA)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    db = client[f"bench_{uuid.uuid4().hex[:8]}"]
    projection = Projection(db, geo)
    await projection.load()
    await projection.apply_plan(example_plan())
    entries = log_entries(n, geo)
    for i in range(0, len(entries), 5000):
        await db[store.LOG].insert_many(entries[i : i + 5000], ordered=False)
    await projection.rebuild()  # the live generation holds the full figures, as in the bench
    out = []
    for round_ in range(rounds):
        started = time.perf_counter()
        recount(entries, projection.plan, {}, geo, series_out={})
        in_memory = time.perf_counter() - started

        async def generation_switch() -> float:
            started = time.perf_counter()
            await projection.rebuild()
            return time.perf_counter() - started

        async def rename_switch() -> tuple[float, float]:
            # Count and write beside, then rename over collections as full as the live ones.
            live = await store.read_generation(db)
            beside = store.generation(live.number + 100)
            started = time.perf_counter()
            await rebuild(db, projection.plan, projection.org_types, geo, beside)
            written = time.perf_counter() - started
            for name in (live.cells, live.series):
                docs = await db[name].find({}).to_list()
                await db[name + "_target"].insert_many(docs, ordered=False)
            started = time.perf_counter()
            await db[beside.cells].rename(live.cells + "_target", dropTarget=True)
            await db[beside.series].rename(live.series + "_target", dropTarget=True)
            renames = time.perf_counter() - started
            for name in (live.cells, live.series):
                await db[name + "_target"].drop()
            return written + renames, renames

        # Alternated, so that neither always meets the other's after-effects first.
        if round_ % 2 == 0:
            generation = await generation_switch()
            await asyncio.sleep(projection.drop_grace + 1)  # the old generation's drop
            rename, renames = await rename_switch()
        else:
            rename, renames = await rename_switch()
            generation = await generation_switch()
            await asyncio.sleep(projection.drop_grace + 1)
        out.append(
            {
                "in_memory": in_memory,
                "generation": generation,
                "rename": rename,
                "renames": renames,
            }
        )
        print(out[-1], flush=True)
    await client.drop_database(db.name)
    await client.close()
    return out


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        host = "127.0.0.1"
        port = free_port(host)
        db = start_secantus(host, port, Path(tmp) / "db", Path(tmp) / "secantus.log")
        try:
            results = asyncio.run(_rounds(n, rounds, mongo_uri(host, port)))
        finally:
            db.stop(15)
    load_after = os.getloadavg()
    lines = [
        f"# Full rebuild at {n} actions: generation switch against rename switch",
        "",
        f"{datetime.now(UTC).isoformat(timespec='seconds')}, {os.cpu_count()} cores, load "
        f"average (1, 5, 15 min) {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} "
        f"before, {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} after.",
        "",
        "| round | in memory | rebuild, generation switch | rebuild, rename switch | "
        "of which renames |",
        "|---|---|---|---|---|",
    ]
    for i, r in enumerate(results, 1):
        lines.append(
            f"| {i} | {r['in_memory']:.1f} s | {r['generation']:.1f} s | {r['rename']:.1f} s | "
            f"{r['renames']:.1f} s |"
        )
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
