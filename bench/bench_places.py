"""Places: the map's figures and a municipality page's figures at N actions, via HTTP.

- map p95: ``GET /places/map?level=municipality&measure=per_10000`` (308 regions with their
  classes and shapes) on the reporting service, boundaries from ``../shared/geodata`` when that
  folder exists (as the browser tests use it), else the dot map;
- municipality page p95: ``GET /places/municipality/{code}`` for random municipalities (coverage
  of every plan node with the county and the country beside, three action lists, trend);
- county report p95: ``GET /places/county/{code}/report`` for random counties (every
  municipality's counts for every sub-goal and measure, indicators), and its PDF.

Baseline: reading the aggregate documents one such request needs (every place's whole-plan cell)
with bare pymongo on the same database. The search p95 of the same run is in the same summary
table (area "search"). The gateway's HTML rendering is not included.
"""

import asyncio
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bench.bench_reporting import DATA, seeded
from bench.figures import Figure, percentile
from bench.stack import embedded_stack
from htk_reporting import store
from htk_runtime.processes import free_port
from htk_testing.runtime import eventually


def _geodata() -> Path | None:
    for folder in DATA.parents:
        if any((folder / "shared" / "geodata").glob("municipalities*.geojson")):
            return folder / "shared" / "geodata"
    return None


async def _bench(n: int, samples: int, kafka: str, uri: str) -> list[Figure]:
    from htk_reporting.model.contribution import scopes

    s = await seeded(uri, n, "bench_places")
    client, database, db, projection, geo, entries = (
        s.client, s.database, s.db, s.projection, s.geo, s.entries
    )  # fmt: skip
    # The actions' read copy the pages list from: each action's last version.
    latest: dict[str, dict[str, Any]] = {}
    for e in entries:
        latest[e["action_id"]] = e
    actions = [
        {
            "_id": aid,
            "public_version": e["version"],
            "public": e["facts"],
            "published": True,
            "org_type": None,
            "codes": e["facts"]["codes"],
            "scopes": scopes(e["facts"], geo),
        }
        for aid, e in latest.items()
    ]
    for i in range(0, len(actions), 5000):
        await db["actions"].insert_many(actions[i : i + 5000], ordered=False)
    await projection.rebuild()

    geodata = _geodata()
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
    if geodata:
        os.environ["HTK_REPORTING_BOUNDARIES_DIR"] = str(geodata)
    from htk_reporting.main import create_service

    service = create_service()
    port = free_port("127.0.0.1")
    server = uvicorn.Server(
        uvicorn.Config(service.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: asyncio.sleep(0, server.started), timeout=60)
    maps: list[float] = []
    pages: list[float] = []
    reports: list[float] = []
    pdfs: list[float] = []
    rnd = random.Random(5)
    codes = sorted(geo.county_of)
    counties = sorted(geo.county_names)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            params = {"level": "municipality", "measure": "per_10000"}
            (await http.get("/places/map", params=params)).raise_for_status()  # warm-up
            for _ in range(samples):
                started = time.perf_counter()
                (await http.get("/places/map", params=params)).raise_for_status()
                maps.append(time.perf_counter() - started)
                started = time.perf_counter()
                answer = await http.get(f"/places/municipality/{rnd.choice(codes)}")
                answer.raise_for_status()
                pages.append(time.perf_counter() - started)
                # A county's report: every municipality's counts for every node, then the PDF
                # (laid out by fpdf2) for a third of the samples, as it is slow by nature.
                county = rnd.choice(counties)
                started = time.perf_counter()
                (await http.get(f"/places/county/{county}/report")).raise_for_status()
                reports.append(time.perf_counter() - started)
                if len(pdfs) * 3 < samples:
                    started = time.perf_counter()
                    answer = await http.get(
                        f"/places/county/{county}/report", params={"format": "pdf"}
                    )
                    answer.raise_for_status()
                    pdfs.append(time.perf_counter() - started)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 60)

    # The live generation's cells (a rebuild writes a new generation beside the old one; the
    # collection "cells" of the first layout is empty, and read in 0.6 ms it was no baseline).
    cells = (await store.read_generation(db)).cells
    assert await db[cells].count_documents({"node": "*"}) > 0, cells
    bare: list[float] = []
    for _ in range(samples):
        started = time.perf_counter()
        await db[cells].find({"node": "*"}).to_list()
        bare.append(time.perf_counter() - started)
    await client.drop_database(database)
    await client.close()
    note = f"{n} actions; {'boundaries' if geodata else 'dot map'}; {samples} samples"
    return [
        Figure(
            "places",
            f"map figures and shapes p95, 308 municipalities, via HTTP ({n} actions)",
            percentile(maps, 95) * 1000,
            "ms",
            "bare read of every place's whole-plan aggregate p95",
            percentile(bare, 95) * 1000,
            goal="p95 < 500 ms",
            note=f"{note}; median {percentile(maps, 50) * 1000:.0f} ms; compare search p95",
        ),
        Figure(
            "places",
            f"municipality page figures p95, via HTTP ({n} actions)",
            percentile(pages, 95) * 1000,
            "ms",
            "bare read of every place's whole-plan aggregate p95",
            percentile(bare, 95) * 1000,
            goal="p95 < 500 ms",
            note=f"{note}; median {percentile(pages, 50) * 1000:.0f} ms; compare search p95",
        ),
        Figure(
            "places",
            f"county report (every municipality side by side) p95, via HTTP ({n} actions)",
            percentile(reports, 95) * 1000,
            "ms",
            "bare read of every place's whole-plan aggregate p95",
            percentile(bare, 95) * 1000,
            goal="p95 < 1000 ms",
            note=f"{note}; median {percentile(reports, 50) * 1000:.0f} ms",
        ),
        Figure(
            "places",
            f"county report PDF p95, via HTTP ({n} actions)",
            percentile(pdfs, 95) * 1000,
            "ms",
            "bare read of every place's whole-plan aggregate p95",
            percentile(bare, 95) * 1000,
            goal="p95 < 5000 ms",
            note=f"{n} actions; {len(pdfs)} samples; median {percentile(pdfs, 50) * 1000:.0f} ms",
        ),
    ]


def run(quick: bool) -> list[Figure]:
    n, samples = (2_000, 20) if quick else (100_000, 60)
    with embedded_stack() as stack:
        return asyncio.run(_bench(n, samples, stack.kafka, stack.mongo))
