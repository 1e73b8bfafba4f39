"""Submission throughput and latency through the submissions service's HTTP API.

Baselines, from the same run and the same database, written with bare pymongo as fast as they go:

- the create's own database work: the same three documents (the action, its history entry and
  its outbox event) into collections with the service's indexes, in one transaction, sent the way
  the service sends them (one ``bulkWrite`` where the server has it). Where the database is the
  limit, the accepted rate comes close to this figure.
- a bare transaction inserting two small documents, the simplest transactional write.

Point ``HTK_BENCH_MONGO_URI`` at a real MongoDB replica set to measure the same thing there.

The load generator runs on the same cores as the service, so it is a lean keep-alive HTTP client
(:mod:`bench.http_load`) rather than httpx, which would take most of a core at these rates.
"""

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient, InsertOne

from bench.figures import Figure, percentile
from bench.http_load import Connection, PreparedRequest
from bench.stack import REPO, embedded_stack
from htk_contracts.catalogue import Names, Organisation, PlanNode, PlanVersion
from htk_contracts.envelope import Envelope, new_envelope
from htk_runtime.auth import User, generate_keypair, sign
from htk_runtime.outbox import ensure_outbox_indexes
from htk_submissions.readcopies import CatalogueCopies
from htk_submissions.store import ensure_indexes
from htk_testing.runtime import received

ACTION = {
    "title": "Ikäihmisten kohtaamispaikka",
    "summary": "Viikoittainen kohtaamispaikka yksin asuville ikäihmisille.",
    "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat ikäihmiset.",
    "organisation_id": "bench-org",
    "measures": ["1.1.1"],
    "municipalities": ["564"],
}


def _envelope(subject: str, data: Any) -> Envelope[dict[str, Any]]:
    return received("/bench", "fi.htk.bench.seeded.v1", subject, 1, data)


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

    async def write(s: Any) -> None:
        await db.actions.insert_one({"_id": str(uuid.uuid4()), **ACTION}, session=s)
        await db.outbox.insert_one({"event": ACTION, "sent_at": None}, session=s)

    rate = await transactions_per_second(client, write, seconds, concurrency)
    await client.close()
    return rate


def create_documents() -> list[tuple[str, dict[str, Any]]]:
    """(collection, document) for what the service writes for one new draft, in its shapes."""
    now = datetime.now(UTC)
    action_id = str(uuid.uuid4())
    action = {
        "_id": action_id,
        "version": 1,
        "status": "draft",
        "organisation_id": ACTION["organisation_id"],
        "content": ACTION,
        "public": None,
        "first_published_at": None,
        "confirmed_at": None,
        "review_comment": None,
        "submitted_at": None,
        "created_by": "bench",
        "created_at": now,
        "updated_by": "bench",
        "updated_at": now,
    }
    history = {
        "_id": f"{action_id}:1",
        "action_id": action_id,
        "version": 1,
        "status": "draft",
        "step": "create",
        "content": ACTION,
        "by": "bench",
        "at": now,
        "comment": None,
    }
    event = new_envelope(
        source="/submissions",
        type="fi.htk.action.drafted.v1",
        subject=action_id,
        aggregateversion=1,
        data={"action_id": action_id, "organisation_id": "bench-org", "at": now.isoformat()},
    )
    outbox = {
        "_id": ObjectId(),
        "event_id": event.id,
        "topic": "submissions.actions.v1",
        "key": action_id,
        "event": event.model_dump(mode="json"),
        "created_at": now,
        "sent_at": None,
    }
    return [("actions", action), ("action_versions", history), ("outbox", outbox)]


async def create_writer(client: AsyncMongoClient[dict[str, Any]], name: str) -> Any:
    """A transaction body doing exactly a create's database work, in database ``name``."""
    db = client[name]
    await ensure_indexes(db)
    await ensure_outbox_indexes(db)
    hello = await client.admin.command("hello")
    one_command = hello.get("maxWireVersion", 0) >= 25  # bulkWrite across collections: MongoDB 8

    async def write(session: Any) -> None:
        documents = create_documents()
        if one_command:
            await client.bulk_write(
                [InsertOne(d, namespace=f"{db.name}.{c}") for c, d in documents], session=session
            )
        else:
            for collection, document in documents:
                await db[collection].insert_one(document, session=session)

    return write


async def create_work(mongo_uri: str, seconds: float, concurrency: int) -> float:
    """Transactions per second doing exactly a create's database work, without the service."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    write = await create_writer(client, f"bench_create_{uuid.uuid4().hex[:6]}")
    rate = await transactions_per_second(client, write, seconds, concurrency)
    await client.close()
    return rate


async def transactions_per_second(
    client: AsyncMongoClient[dict[str, Any]], write: Any, seconds: float, concurrency: int
) -> float:
    done = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            async with client.start_session() as session:
                await session.with_transaction(write)
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.monotonic() - started)


async def sustained(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, int]:
    accepted = errors = 0
    deadline = time.monotonic() + seconds
    request = PreparedRequest(url, "POST", "/actions", headers, ACTION)

    async def worker() -> None:
        nonlocal accepted, errors
        connection = Connection(request)
        try:
            while time.monotonic() < deadline:
                if await connection.send() == 201:
                    accepted += 1
                else:
                    errors += 1
        finally:
            await connection.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    return accepted / elapsed, errors


async def fixed_rate(url: str, headers: dict[str, str], rate: float, seconds: float) -> list[float]:
    latencies: list[float] = []
    request = PreparedRequest(url, "POST", "/actions", headers, ACTION)
    idle: list[Connection] = []  # keep-alive connections not in use, as a browser pool keeps

    async def one() -> None:
        connection = idle.pop() if idle else Connection(request)
        started = time.perf_counter()
        status = await connection.send()
        if status == 201:
            latencies.append((time.perf_counter() - started) * 1000)
        idle.append(connection)

    tasks = []
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    for connection in idle:
        await connection.close()
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
        baseline = await create_work(mongo, seconds / 2, concurrency=16)
        bare = await bare_transactions(mongo, seconds / 2, concurrency=16)
        throughput, errors = await sustained(url, member, seconds, concurrency=16)
        latencies = await fixed_rate(url, member, rate=50, seconds=seconds / 2)
        bare_latency = await bare_latency_ms(mongo)
    note = f"{seconds:.0f} s, 16 concurrent clients, {errors} errors"
    return [
        Figure(
            "submissions",
            "accepted submissions per second (HTTP, draft + history + outbox event)",
            throughput,
            "per s",
            "the create's database work alone (same 3 documents, indexes, transaction) per second",
            baseline,
            "≥ 200 per s for 60 s",
            note,
        ),
        Figure(
            "submissions",
            "the create's database work alone per second (3 documents, service's indexes)",
            baseline,
            "per s",
            "bare transaction (2 small inserts, no indexes) per second",
            bare,
            "",
            "how much of the database's capacity a create's documents take",
        ),
        Figure(
            "submissions",
            "submission latency p50 at 50 per s",
            percentile(latencies, 50),
            "ms",
            "the create's database work alone, latency p50",
            bare_latency[0],
            "",
            f"{len(latencies)} requests",
        ),
        Figure(
            "submissions",
            "submission latency p95 at 50 per s",
            percentile(latencies, 95),
            "ms",
            "the create's database work alone, latency p95",
            bare_latency[1],
            "p95 < 100 ms",
            "",
        ),
        Figure(
            "submissions",
            "submission latency p99 at 50 per s",
            percentile(latencies, 99),
            "ms",
            "the create's database work alone, latency p99",
            bare_latency[2],
            "",
            "",
        ),
    ]


async def bare_latency_ms(mongo_uri: str, n: int = 300) -> tuple[float, float, float]:
    """Latency of the create's database work alone, one transaction at a time."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    write = await create_writer(client, f"bench_lat_{uuid.uuid4().hex[:6]}")
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        async with client.start_session() as session:
            await session.with_transaction(write)
        samples.append((time.perf_counter() - started) * 1000)
    await client.close()
    return percentile(samples, 50), percentile(samples, 95), percentile(samples, 99)


def run(quick: bool) -> list[Figure]:
    return asyncio.run(measure(quick))
