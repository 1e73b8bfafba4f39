"""Reporting: publish-to-stream latency and a full rebuild of every aggregate.

- latency: an action event published on the broker (tansu) until the changed figures arrive on
  ``/coverage/stream`` (SSE over HTTP), with the aggregates already holding N actions. Baseline:
  one bare MongoDB ``update_one`` round trip on the same database.
- rebuild: every aggregate recomputed from the event log of N actions and written back.
  Baseline: the same recount in memory only (no database reads or writes).
"""

import asyncio
import json
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pymongo import AsyncMongoClient

from bench.figures import Figure, percentile
from bench.stack import embedded_stack
from htk_contracts.topics import Topic
from htk_runtime.processes import free_port
from htk_testing.runtime import eventually

DATA = Path(__file__).resolve().parent.parent / "data"


def log_entries(n: int, geo: Any, seed: int = 7) -> list[dict[str, Any]]:
    """The event log of ``n`` published actions, a fifth of them updated once."""
    rnd = random.Random(seed)
    measures = [f"{p}.{s}.{m}" for p in range(1, 5) for s in range(1, 3) for m in range(1, 3)]
    municipalities = sorted(geo.county_of)
    counties = sorted(geo.county_names)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        aid = f"bench-{i}"
        versions = 2 if rnd.random() < 0.2 else 1
        at = start + timedelta(minutes=rnd.randrange(0, 60 * 24 * 700))
        for v in range(1, versions + 1):
            chosen = rnd.sample(measures, rnd.choice((1, 1, 2)))
            codes = set(chosen)
            for m in chosen:
                codes |= {m.rsplit(".", 1)[0], m.split(".")[0]}
            national = rnd.random() < 0.1
            facts = {
                "organisation_id": f"org-{rnd.randrange(5000)}",
                "partners": [],
                "codes": sorted(codes),
                "national": national,
                "counties": [] if national or rnd.random() < 0.8 else [rnd.choice(counties)],
                "municipalities": []
                if national
                else rnd.sample(municipalities, rnd.randrange(0, 3)),
                "target_groups": rnd.sample(
                    ["children", "older_people", "unemployed"], rnd.randrange(0, 2)
                ),
                "dimensions": rnd.sample(["age", "regional", "socioeconomic"], rnd.randrange(0, 2)),
                "confirmed_at": at,
                "title": f"Toimenpide {i}",
            }
            out.append(
                {
                    "_id": f"{aid}:{v}",
                    "action_id": aid,
                    "version": v,
                    "kind": "published" if v == 1 else "updated",
                    "public_kind": True,
                    "time": at,
                    "organisation_id": facts["organisation_id"],
                    "facts": facts,
                }
            )
            at += timedelta(days=rnd.randrange(1, 60))
    return out


async def _reads_beside_past_dates(
    http: httpx.AsyncClient, samples: int
) -> tuple[list[float], list[float], float, float]:
    """Latency of a cheap read alone, then while past dates are recounted one after another."""

    async def timed(path: str, params: dict[str, str] | None = None) -> float:
        sent = time.perf_counter()
        response = await http.get(path, params=params)
        assert response.status_code == 200, response.text
        return time.perf_counter() - sent

    alone = [await timed("/coverage/series") for _ in range(samples)]
    days = [(datetime(2025, 6, 1) + timedelta(days=7 * i)).date().isoformat() for i in range(50)]
    recounting = [0.0]

    async def past_dates() -> None:
        for day in days:
            recounting[0] = max(recounting[0], await timed("/coverage/at", {"date": day}))

    load = asyncio.create_task(past_dates())
    await asyncio.sleep(0.5)  # the first recount is under way
    beside: list[float] = []
    while not load.done() and len(beside) < samples:
        beside.append(await timed("/coverage/series"))
        await asyncio.sleep(0.05)
    load.cancel()
    cached = await timed("/coverage/at", {"date": days[0]})
    return alone, beside, recounting[0], cached


@dataclass
class Seeded:
    client: AsyncMongoClient[dict[str, Any]]
    database: str
    projection: Any  # htk_reporting.counting.projection.Projection
    geo: Any
    entries: list[dict[str, Any]]

    @property
    def db(self) -> Any:
        return self.client[self.database]


async def seeded(uri: str, n: int, prefix: str) -> Seeded:
    """A database of its own with the example plan in force and the log entries of ``n``
    actions (the aggregates not yet counted from them): the start of the reporting benchmarks."""
    from htk_reporting.counting.projection import Projection
    from htk_reporting.model.geography import load_geography
    from htk_testing.reporting_events import example_plan

    geo = load_geography(DATA)
    database = f"{prefix}_{uuid.uuid4().hex[:8]}"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    projection = Projection(client[database], geo)
    await projection.load()
    await projection.apply_plan(example_plan())
    entries = log_entries(n, geo)
    for i in range(0, len(entries), 5000):
        await client[database]["action_log"].insert_many(entries[i : i + 5000], ordered=False)
    return Seeded(client, database, projection, geo, entries)


async def _bench(n: int, samples: int, kafka: str, uri: str) -> list[Figure]:
    from htk_reporting.counting.recount import recount
    from htk_testing.reporting_events import action_event

    s = await seeded(uri, n, "bench")
    client, database, db, projection, geo, entries = (
        s.client, s.database, s.db, s.projection, s.geo, s.entries
    )  # fmt: skip

    started = time.perf_counter()
    recount(entries, projection.plan, {}, geo, series_out={})
    in_memory = time.perf_counter() - started
    started = time.perf_counter()
    cells = await projection.rebuild()
    rebuild = time.perf_counter() - started

    os.environ.update(
        {
            "HTK_KAFKA_BOOTSTRAP_SERVERS": kafka,
            "HTK_MONGO_URI": uri,
            "HTK_MONGO_DATABASE": database,
            "HTK_KAFKA_GROUP_PREFIX": f"bench-{uuid.uuid4().hex[:6]}",
            "HTK_REPORTING_DATA_DIR": str(DATA),
            "HTK_LOG_LEVEL": "WARNING",
        }
    )
    from htk_reporting.main import create_service

    service = create_service()
    port = free_port("127.0.0.1")
    server = uvicorn.Server(
        uvicorn.Config(service.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: asyncio.sleep(0, server.started), timeout=60)
    ctx = service.ctx()
    await asyncio.wait_for(ctx.broker_connected.wait(), 60)
    assert ctx.broker is not None
    latencies: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            async with http.stream("GET", "/coverage/stream") as response:
                lines = response.aiter_lines()

                async def next_change(action_id: str) -> None:
                    async for line in lines:
                        if line.startswith("data: ") and f'"{action_id}"' in line:
                            json.loads(line.removeprefix("data: "))
                            return

                rnd = random.Random(3)
                for i in range(samples + 1):  # the first one waits for the consumer group join
                    aid = f"live-{i}"
                    municipality = rnd.choice(sorted(geo.county_of))
                    event = action_event(
                        "published",
                        aid,
                        1,
                        [f"{rnd.randint(1, 4)}.1.1"],
                        municipalities=[municipality],
                    )
                    body = event.model_dump_json().encode()
                    sent = time.perf_counter()
                    await ctx.broker.publish(body, Topic.SUBMISSIONS_ACTIONS, key=aid.encode())
                    await asyncio.wait_for(next_change(aid), 120)
                    if i:
                        latencies.append(time.perf_counter() - sent)
            alone, beside, past_seconds, past_seconds_cached = await _reads_beside_past_dates(
                http, samples
            )
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 60)

    bare: list[float] = []
    for i in range(samples):
        sent = time.perf_counter()
        await db["bench_bare"].update_one({"_id": i % 10}, {"$inc": {"n": 1}}, upsert=True)
        bare.append(time.perf_counter() - sent)
    await client.drop_database(database)
    await client.close()
    note = f"{n} actions ({len(entries)} events), {cells} aggregate documents"
    return [
        Figure(
            "reporting",
            "GET /coverage/series p95 while /coverage/at recounts past dates",
            percentile(beside, 95) * 1000,
            "ms",
            "GET /coverage/series p95 alone",
            percentile(alone, 95) * 1000,
            goal="ratio < 3",
            note=f"{note}; an uncached past date took {past_seconds:.1f} s, a cached one "
            f"{past_seconds_cached:.3f} s",
        ),
        Figure(
            "reporting",
            "publish event -> updated aggregate on SSE stream, p95",
            percentile(latencies, 95) * 1000,
            "ms",
            "bare MongoDB update_one p95",
            percentile(bare, 95) * 1000,
            goal="p95 < 1000 ms",
            note=f"{note}; {samples} samples, median {percentile(latencies, 50) * 1000:.0f} ms",
        ),
        Figure(
            "reporting",
            "full rebuild of all aggregates from the event log",
            rebuild,
            "s",
            "same recount in memory only",
            in_memory,
            goal="< 30 s",
            note=note,
        ),
    ]


def run(quick: bool) -> list[Figure]:
    n, samples = (2_000, 20) if quick else (100_000, 100)
    with embedded_stack() as stack:
        return asyncio.run(_bench(n, samples, stack.kafka, stack.mongo))
