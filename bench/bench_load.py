"""A load test of the whole platform through the gateway, on loopback, bounded in time.

The mix is what people do: 80 % search, 15 % browsing (an action, the coverage table, the plan),
5 % new actions. The rate rises stage by stage until the first error or until p95 passes 1 s.
The baseline is the gateway's own liveness answer at the same rate, measured in the same run:
the cost of the HTTP path alone, without any service behind it.
"""

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import httpx

from bench.__main__ import RESULTS, machine
from bench.figures import Figure, percentile

QUERIES = [
    "yksinäisyys",
    "nuoret",
    "liikunta",
    "ikäihmiset",
    "mielenterveys",
    "kohtaamispaikka",
    "perheet",
    "harrastus",
    "osallisuus",
    "hyvinvointialue",
]
ACTION = {
    "title": "Kuormatestin toimenpide",
    "summary": "Kohtaamispaikka yksin asuville ikäihmisille kirjastossa.",
    "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat ikäihmiset.",
    "organisation_id": "org-load",
    "measures": ["1.1.1"],
    "municipalities": ["564"],
}


async def seed(client: httpx.AsyncClient, count: int) -> list[str]:
    ids: list[str] = []
    for i in range(count):
        created = await client.post(
            "/api/v1/actions",
            json={**ACTION, "title": f"{random.choice(QUERIES).capitalize()} {i}"},
        )
        if created.status_code != 201:
            continue
        action_id = created.json()["id"]
        submitted = await client.post(
            f"/api/v1/actions/{action_id}/submit", headers={"If-Match": created.headers["ETag"]}
        )
        await client.post(
            f"/api/v1/actions/{action_id}/publish", headers={"If-Match": submitted.headers["ETag"]}
        )
        ids.append(action_id)
    return ids


def pick(ids: list[str]) -> tuple[str, str, dict[str, Any] | None]:
    roll = random.random()
    if roll < 0.80:
        return "GET", f"/api/v1/search?q={random.choice(QUERIES)}", None
    if roll < 0.95:
        return (
            "GET",
            random.choice(
                [f"/api/v1/actions/{random.choice(ids)}", "/api/v1/coverage", "/api/v1/plan"]
            ),
            None,
        )
    return "POST", "/api/v1/actions", ACTION


async def stage(
    client: httpx.AsyncClient, rate: float, seconds: float, ids: list[str] | None
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0

    async def one(method: str, path: str, body: dict[str, Any] | None) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            response = await client.request(method, path, json=body)
            if response.status_code >= 400:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        latencies.append((time.perf_counter() - started) * 1000)

    tasks = []
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        request = pick(ids) if ids is not None else ("GET", "/health/live", None)
        tasks.append(asyncio.create_task(one(*request)))
    await asyncio.gather(*tasks)
    return {
        "rate": rate,
        "requests": len(latencies),
        "errors": errors,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


async def measure(quick: bool, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    seconds = 3.0 if quick else 15.0
    rates = [5, 10, 20, 40] if quick else [5, 10, 20, 40, 60, 80, 120, 160]
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        ids = await seed(client, 20 if quick else 200)
        mixed, baseline = [], []
        for rate in rates:
            result = await stage(client, rate, seconds, ids)
            mixed.append(result)
            baseline.append(await stage(client, rate, seconds, None))
            print(
                f"   {rate:>4}/s  p95 {result['p95']:.0f} ms  errors {result['errors']}", flush=True
            )
            if result["errors"] or result["p95"] > 1000:
                break
    return mixed, baseline


def run(quick: bool) -> list[Figure]:
    import tempfile

    from tests.e2e.catalogue_seed import publish_catalogue
    from tests.e2e.platform import launch, platform_env

    with tempfile.TemporaryDirectory(prefix="htk-load-") as tmp:
        env = platform_env(Path(tmp) / "var")
        env["HTK_WRITES_PER_MINUTE"] = "100000"  # one bench user writes for many people
        launched = launch(env, "--dev-open-writes")
        try:
            launched.wait_running()
            asyncio.run(
                publish_catalogue(f"127.0.0.1:{env['HTK_KAFKA_PORT']}", ACTION["organisation_id"])
            )
            time.sleep(3)  # the plan and organisation reach submissions' read copies
            mixed, baseline = asyncio.run(measure(quick, launched.url))
        finally:
            launched.terminate()
    info = machine()
    rows = "\n".join(
        f"| {m['rate']} | {m['requests']} | {m['errors']} | {m['p50']:.1f} | {m['p95']:.1f} "
        f"| {m['p99']:.1f} | {b['p95']:.1f} |"
        for m, b in zip(mixed, baseline, strict=False)
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.md").write_text(
        "# Load test: 80 % search, 15 % browsing, 5 % submissions, through the gateway\n\n"
        + "\n".join(f"- {k}: {v}" for k, v in info.items())
        + "\n\n| rate per s | requests | errors | p50 ms | p95 ms | p99 ms "
        "| baseline p95 ms (liveness) |\n"
        "|---|---|---|---|---|---|---|\n" + rows + "\n"
    )
    (RESULTS / "load.json").write_text(
        json.dumps({"machine": info, "mixed": mixed, "baseline": baseline}, indent=2)
    )
    ok = [m for m in mixed if not m["errors"] and m["p95"] <= 1000]
    best = ok[-1] if ok else mixed[0]
    base = baseline[mixed.index(best)]
    return [
        Figure(
            "load",
            f"highest rate held (no errors, p95 ≤ 1 s): p95 at {best['rate']}/s",
            best["p95"],
            "ms",
            f"gateway liveness p95 at {best['rate']}/s",
            base["p95"],
            "rate until first error or p95 > 1 s",
            f"stages: {[m['rate'] for m in mixed]}",
        ),
    ]
