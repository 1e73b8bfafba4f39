"""Search on the tantivy backend with generated actions (100,000; 2,000 in quick mode).

Figures, each next to a baseline measured in the same run:
- search p50/p95/p99 for text queries with 5 facets through the search service's HTTP API,
  against the same queries run straight on tantivy in the bench process with the same
  aggregations (the hits, and each filtered facet counted without its own filter, as the answer
  must; side by side in threads, as the service runs them), and against the hits with one
  aggregation over every facet under all filters (counts the service must not give);
- time from publishing an event to the broker until it is searchable over HTTP, on the embedded
  stack (tansu, SecantusDB, the search service), against a bare tantivy commit of one document;
- a full reindex (``htk search reindex``'s job, replaying the documents the service stores with
  the index), against bare tantivy bulk indexing of the same, already analysed documents;
- the same after an upgrade that changes the documents' form (every action analysed again from
  its snapshot, the new documents stored), against the same baseline.
"""

import asyncio
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bench.figures import Figure, percentile
from bench.http_load import Connection, PreparedRequest
from bench.stack import Stack, embedded_stack
from htk_contracts.search import FACETS
from htk_contracts.topics import Topic
from htk_search.backends.base import terms_aggregation
from htk_search.backends.tantivy_backend import TantivyBackend
from htk_search.documents import encode_document
from htk_search.query import Plan, facet_plans, parse_text
from htk_search.reindex import job_status, queue_job
from htk_search.store import ReadCopies
from htk_testing.search import DATA_DIR, REPO, envelope, public_action, relevance_set

QUERIES = [
    "yksinäisyys",
    "ikäihmisten yksinäisyys",
    "mielenterveyspalvelut",
    "liikunta",
    "nuorten",
    "hyvinvointialueella",
    "työttömät",
    "perhekeskus",
    "kotoutuminen",
    "päihteet",
    "digituki",
    "lapsiperheet",
    "ensamhet äldre",
    "mental health",
    '"matalan kynnyksen"',
    "yksinäsyys",
]
COUNTIES = ["17", "19", "08", "21", "01", "03"]
STATES = ["ongoing", "ongoing", "planned", "completed"]


def generate(n: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """Actions made from the relevance set's texts, spread over places, measures and years."""
    rng = random.Random(seed)
    templates = relevance_set(REPO / "services/search/tests/relevance")
    municipalities = list(_municipalities())
    base = datetime(2022, 1, 1, tzinfo=UTC)
    for i in range(n):
        t = templates.actions[i % len(templates.actions)]
        places = rng.sample(municipalities, rng.randint(1, 3))
        yield (
            public_action(
                f"g{i:06d}",
                title=f"{t.title} {rng.choice(['2024', 'kokeilu', 'hanke', 'jatko', ''])}".strip(),
                summary=t.summary,
                reduction=t.inequality_reduction,
                measures=t.measures,
                org=t.organisation_id,
                lang=t.language.value,
                when=base + timedelta(hours=i),
                state=rng.choice(STATES),
                municipalities=places,
                national=rng.random() < 0.03,
                target_groups=t.target_groups,
                inequality_dimensions=t.inequality_dimensions,
                start_date=(base + timedelta(days=rng.randint(0, 1400))).date(),
            ),
            templates.organisations,
        )


def _municipalities() -> list[str]:
    import csv

    with (DATA_DIR / "geography" / "municipalities.csv").open(encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f)]


def facet_params(rng: random.Random) -> list[tuple[str, str]]:
    return [
        ("county", rng.choice(COUNTIES)),
        ("state", "ongoing"),
        ("priority", rng.choice(["1", "2", "3"])),
        ("year", str(rng.choice([2023, 2024, 2025]))),
        ("language", "fi"),
    ]


async def _run(quick: bool, stack: Stack) -> list[Figure]:
    n = 2_000 if quick else 100_000
    n_queries = 200 if quick else 400
    n_events = 30 if quick else 60
    work = stack.workdir
    figures: list[Figure] = []
    # --- data: snapshots in the service's database, the index built from them ------------
    from htk_testing.search import engine_for

    generated = list(generate(n))
    organisations = generated[0][1]
    actions = [a for a, _ in generated]
    client: AsyncMongoClient = AsyncMongoClient(stack.mongo, tz_aware=True)
    store = ReadCopies(client["bench_search"])
    await store.create_indexes()
    for org in organisations.values():
        await store.put_organisation(org, 1)
    started = time.perf_counter()
    for i in range(0, n, 1000):
        await store.actions.insert_many(
            [{"_id": a.action_id, **ReadCopies.snapshot(a)} for a in actions[i : i + 1000]]
        )
    print(f"   stored {n} snapshots in {time.perf_counter() - started:.1f} s", flush=True)
    index_dir = work / "index"
    backend = TantivyBackend(index_dir)
    engine = engine_for(backend, organisations)
    started = time.perf_counter()
    docs = [engine.document(a) for a in actions]
    analysed = time.perf_counter() - started

    # The documents the service stores beside the index as it applies events.
    started = time.perf_counter()
    for i in range(0, n, 1000):
        await store.add_documents(
            [(d.action_id, engine.form, encode_document(d)) for d in docs[i : i + 1000]]
        )
    await store.set_complete_form(engine.form)
    print(f"   stored {n} documents in {time.perf_counter() - started:.1f} s", flush=True)

    async def stream():  # type: ignore[no-untyped-def]
        for d in docs:
            yield d

    started = time.perf_counter()
    await backend.rebuild(stream())
    bare_bulk = time.perf_counter() - started
    print(f"   analysed in {analysed:.1f} s, bare tantivy bulk {bare_bulk:.1f} s", flush=True)

    # Baseline for freshness: a bare tantivy commit of one document, same index size.
    commits = []
    for i in range(20):
        doc = engine.document(public_action(f"base{i}", title=f"Pohjakohta {i}"))
        t0 = time.perf_counter()
        await backend.upsert(doc)
        commits.append((time.perf_counter() - t0) * 1000)
        await backend.delete(f"base{i}")
    # Baselines for search: the same queries straight on tantivy in this process, without the
    # service (no HTTP, no analysis of the text, no highlighting, no answer to build).
    # - the same aggregations: the hits, and each filtered facet's counts without its own
    #   filter, side by side in threads as the service runs them;
    # - one aggregation over every facet under all filters (fewer passes, wrong counts).
    rng = random.Random(2)
    searcher = backend.current.index.searcher()
    facet_spec = {name: {"terms": {"field": name, "size": 400}} for name in FACETS}
    same_times, one_pass_times = [], []
    pool = ThreadPoolExecutor(max_workers=8)

    def hits(query):  # type: ignore[no-untyped-def]
        for _, address in searcher.search(query, limit=21, count=True).hits:
            searcher.doc(address)

    for _ in range(n_queries):
        text, filters = rng.choice(QUERIES), {}
        for name, value in facet_params(rng):
            filters.setdefault(name, []).append(value)
        groups, phrases = parse_text(engine.analyser, text)
        plan = Plan(groups=groups, phrases=phrases, filters=filters)
        query = backend.build(plan)
        parts = [
            (query if part is plan else backend.build(part), names)
            for part, names in facet_plans(plan)
        ]
        t0 = time.perf_counter()
        jobs = [pool.submit(hits, query)] + [
            pool.submit(searcher.aggregate, q, {n: terms_aggregation(n) for n in names})
            for q, names in parts
        ]
        for job in jobs:
            job.result()
        same_times.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        hits(query)
        searcher.aggregate(query, facet_spec)
        one_pass_times.append((time.perf_counter() - t0) * 1000)
    pool.shutdown()
    await backend.close()
    await client.close()

    # --- the service over HTTP ------------------------------------------------------------
    env = {
        "HTK_MONGO_DATABASE": "bench_search",
        "HTK_SEARCH_INDEX_DIR": str(index_dir),
        "HTK_SEARCH_DATA_DIR": str(DATA_DIR),
        "HTK_LOG_LEVEL": "WARNING",
    }
    url = stack.service("search", env)

    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        # Timed with the lean keep-alive client: httpx spends milliseconds of CPU a request on
        # these same cores (bench/README.md), which is the client's time, not the service's.
        rng = random.Random(2)
        connection = Connection(PreparedRequest(url, "GET", "/search", {}, None))
        for q in QUERIES[:4]:  # warm up
            await connection.send(
                PreparedRequest(url, "GET", f"/search?{urlencode({'q': q})}", {}, None)
            )
        times = []
        for _ in range(n_queries):
            params = [("q", rng.choice(QUERIES)), *facet_params(rng)]
            request = PreparedRequest(url, "GET", f"/search?{urlencode(params)}", {}, None)
            t0 = time.perf_counter()
            status = await connection.send(request)
            times.append((time.perf_counter() - t0) * 1000)
            assert status == 200, status
        await connection.close()
        for p in (50, 95, 99):
            figures.append(
                Figure(
                    "search",
                    f"search p{p}, text + 5 facets, via HTTP ({n} actions)",
                    percentile(times, p),
                    "ms",
                    f"bare tantivy query with the same aggregations p{p}",
                    percentile(same_times, p),
                    goal="p95 < 30 ms" if p == 95 else "",
                )
            )
        figures.append(
            Figure(
                "search",
                f"search p95, text + 5 facets, via HTTP ({n} actions)",
                percentile(times, 95),
                "ms",
                "bare tantivy query with one aggregation pass under all filters p95",
                percentile(one_pass_times, 95),
                note="the earlier baseline: fewer passes, not the counts the answer gives",
            )
        )

        # --- publish -> searchable ----------------------------------------------------------
        producer = KafkaBroker(stack.kafka)
        await producer.start()
        for i in range(3):  # let the consumer join before timing
            e = envelope("published", public_action(f"warm{i}", title=f"Lämmittely{i}"))
            await producer.publish(
                e.model_dump_json().encode(), Topic.SUBMISSIONS_ACTIONS, key=e.subject.encode()
            )
        await _until_found(http, "lämmittely2", 60)
        fresh = []
        for i in range(n_events):
            word = f"tuore{i}x"
            e = envelope("published", public_action(f"fresh{i}", title=f"Kokeilu {word}"))
            t0 = time.perf_counter()
            await producer.publish(
                e.model_dump_json().encode(), Topic.SUBMISSIONS_ACTIONS, key=e.subject.encode()
            )
            await _until_found(http, word, 10)
            fresh.append((time.perf_counter() - t0) * 1000)
        await producer.stop()
        figures.append(
            Figure(
                "search",
                "publish event to searchable p95 (embedded stack)",
                percentile(fresh, 95),
                "ms",
                "bare tantivy commit of one document p95",
                percentile(commits, 95),
                goal="p95 < 500 ms",
                note=f"p50 {percentile(fresh, 50):.0f} ms over {n_events} events",
            )
        )

        # --- full reindex: from the stored documents, then after a change of their form ---
        client = AsyncMongoClient(stack.mongo, tz_aware=True)
        store = ReadCopies(client["bench_search"])
        stored_run = await _reindex(store)
        await store.set_complete_form("an older form")
        analysed_run = await _reindex(store)
        await client.close()
        for (seconds, count), how, goal in (
            (stored_run, "replaying the stored documents", "< 60 s"),
            (analysed_run, "after an upgrade: every action analysed again and stored", ""),
        ):
            figures.append(
                Figure(
                    "search",
                    f"full reindex of {count} actions, {how}",
                    seconds,
                    "s",
                    "bare tantivy bulk indexing of analysed documents",
                    bare_bulk,
                    goal=goal,
                    note=f"analysis alone took {analysed:.1f} s in the bench process",
                )
            )
    return figures


async def _reindex(store: ReadCopies) -> tuple[float, int]:
    """The job's own time, from its start to its end as it records them (not the wait for the
    worker's next look at the queue)."""
    job_id = await queue_job(store)
    while True:
        job = await job_status(store, job_id) or {}
        if job.get("state") in ("done", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job["state"] == "done", job
    return (job["finished_at"] - job["started_at"]).total_seconds(), int(job["count"])


async def _until_found(http: httpx.AsyncClient, word: str, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        body = (await http.get("/search", params={"q": word, "sort": "date", "limit": 1})).json()
        if body["total"]:
            return
        await asyncio.sleep(0.005)
    raise TimeoutError(f"{word} not searchable within {timeout} s")


def run(quick: bool) -> list[Figure]:
    os.environ.setdefault("PYTHONHASHSEED", "0")
    with embedded_stack() as stack:
        return asyncio.run(_run(quick, stack))
