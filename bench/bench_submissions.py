"""Submission throughput and latency through the submissions service's HTTP API.

Baseline, from the same run and the same database: a bare transaction inserting one document
and one outbox event with pymongo, as fast as it goes. Where the stand-in database is the limit,
the two figures are close. Point ``HTK_BENCH_MONGO_URI`` at a real MongoDB replica set to
measure the same thing there.
"""

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.figures import Figure, percentile
from bench.stack import REPO, embedded_stack
from htk_contracts.catalogue import Names, Organisation, PlanNode, PlanVersion
from htk_contracts.envelope import Envelope, new_envelope
from htk_runtime.auth import User, generate_keypair, sign
from htk_submissions.readcopies import CatalogueCopies

ACTION = {
    "title": "Ikäihmisten kohtaamispaikka",
    "summary": "Viikoittainen kohtaamispaikka yksin asuville ikäihmisille.",
    "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat ikäihmiset.",
    "organisation_id": "bench-org",
    "measures": ["1.1.1"],
    "municipalities": ["564"],
}


def _envelope(subject: str, data: Any) -> Envelope[dict[str, Any]]:
    e = new_envelope(
        source="/bench",
        type="fi.htk.bench.seeded.v1",
        subject=subject,
        aggregateversion=1,
        data=data.model_dump(mode="json"),
    )
    return Envelope[dict[str, Any]].model_validate(e.model_dump())


async def seed(mongo_uri: str, database: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    copies = CatalogueCopies(client[database])
    nodes = [
        PlanNode(code=c, level=lvl, name=Names(fi=c, sv=c, en=c))
        for c, lvl in (("1", "priority"), ("1.1", "sub_goal"), ("1.1.1", "measure"))
    ]
    await copies.apply_plan(
        _envelope(
            "plan",
            PlanVersion(
                version=1, created_at=datetime.now(UTC), change="bench", example=True, nodes=nodes
            ),
        )
    )
    await copies.apply_organisation(
        _envelope(
            "bench-org",
            Organisation(
                organisation_id="bench-org", name_fi="Bench", type="ngo", status="approved"
            ),
        )
    )
    await client.close()


async def bare_transactions(mongo_uri: str, seconds: float, concurrency: int) -> float:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    db = client[f"bench_bare_{uuid.uuid4().hex[:6]}"]
    done = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            async with client.start_session() as session:

                async def write(s: Any) -> None:
                    await db.actions.insert_one({"_id": str(uuid.uuid4()), **ACTION}, session=s)
                    await db.outbox.insert_one({"event": ACTION, "sent_at": None}, session=s)

                await session.with_transaction(write)
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    await client.close()
    return done / elapsed


async def sustained(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, int]:
    accepted = errors = 0
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:

        async def worker() -> None:
            nonlocal accepted, errors
            while time.monotonic() < deadline:
                response = await client.post("/actions", json=ACTION)
                if response.status_code == 201:
                    accepted += 1
                else:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return accepted / elapsed, errors


async def fixed_rate(url: str, headers: dict[str, str], rate: float, seconds: float) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:

        async def one() -> None:
            started = time.perf_counter()
            response = await client.post("/actions", json=ACTION)
            if response.status_code == 201:
                latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        start = time.monotonic()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return latencies


async def measure(quick: bool) -> list[Figure]:
    seconds = 5.0 if quick else 60.0
    private, public = generate_keypair()
    member = {
        "HTK-User": sign(
            User(member_id="bench", organisations={"bench-org": "member"}), private, 3600
        )
    }
    with embedded_stack() as stack:
        mongo = os.environ.get("HTK_BENCH_MONGO_URI", stack.mongo)
        database = "bench_submissions"
        await seed(mongo, database)
        url = stack.service(
            "submissions",
            {
                "HTK_MONGO_URI": mongo,
                "HTK_MONGO_DATABASE": database,
                "HTK_TOKEN_PUBLIC_KEY": public,
                "HTK_SUBMISSIONS_DATA_DIR": str(REPO / "data"),
                "HTK_MAX_BODY_BYTES": "1000000",
            },
        )
        baseline = await bare_transactions(mongo, seconds / 2, concurrency=16)
        throughput, errors = await sustained(url, member, seconds, concurrency=16)
        latencies = await fixed_rate(url, member, rate=50, seconds=seconds / 2)
        bare_latency = await bare_latency_ms(mongo)
    note = f"{seconds:.0f} s, 16 concurrent clients, {errors} errors"
    return [
        Figure(
            "submissions",
            "accepted submissions per second (HTTP, draft + outbox event)",
            throughput,
            "per s",
            "bare transaction (insert + outbox insert) per second",
            baseline,
            "≥ 200 per s for 60 s",
            note,
        ),
        Figure(
            "submissions",
            "submission latency p50 at 50 per s",
            percentile(latencies, 50),
            "ms",
            "bare transaction latency p50",
            bare_latency[0],
            "",
            f"{len(latencies)} requests",
        ),
        Figure(
            "submissions",
            "submission latency p95 at 50 per s",
            percentile(latencies, 95),
            "ms",
            "bare transaction latency p95",
            bare_latency[1],
            "p95 < 100 ms",
            "",
        ),
        Figure(
            "submissions",
            "submission latency p99 at 50 per s",
            percentile(latencies, 99),
            "ms",
            "bare transaction latency p99",
            bare_latency[2],
            "",
            "",
        ),
    ]


async def bare_latency_ms(mongo_uri: str, n: int = 300) -> tuple[float, float, float]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    db = client[f"bench_lat_{uuid.uuid4().hex[:6]}"]
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        async with client.start_session() as session:

            async def write(s: Any) -> None:
                await db.actions.insert_one({"_id": str(uuid.uuid4()), **ACTION}, session=s)
                await db.outbox.insert_one({"event": ACTION, "sent_at": None}, session=s)

            await session.with_transaction(write)
        samples.append((time.perf_counter() - started) * 1000)
    await client.close()
    return percentile(samples, 50), percentile(samples, 95), percentile(samples, 99)


def run(quick: bool) -> list[Figure]:
    return asyncio.run(measure(quick))
