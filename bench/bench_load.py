"""A load test of the whole platform through the gateway, on loopback, bounded in time.

The mix is what people do: 80 % search, 15 % browsing (an action, the coverage table, the plan),
5 % new actions. The rate rises stage by stage until the first error or until p95 passes 1 s;
the figure is the highest rate held with p95 < 100 ms, next to what the client's own CPU cost per
request (:mod:`bench.load_client`: open loop, timed from each request's due time). The baseline
is the gateway's own liveness answer at the same rate, measured in the same run: the cost of the
HTTP path alone, without any service behind it.
"""

import asyncio
import json
import os
import random
import subprocess
import sys
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
HELD_P95_MS = 100
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


def pick(ids: list[str], rng: random.Random) -> tuple[str, str, dict[str, Any] | None]:
    roll = rng.random()
    if roll < 0.80:
        return "GET", f"/api/v1/search?q={rng.choice(QUERIES)}", None
    if roll < 0.95:
        return (
            "GET",
            rng.choice([f"/api/v1/actions/{rng.choice(ids)}", "/api/v1/coverage", "/api/v1/plan"]),
            None,
        )
    return "POST", "/api/v1/actions", ACTION


def stage(
    url: str, rate: float, seconds: float, ids: list[str] | None, client: str = "lean"
) -> dict[str, Any]:
    """One stage at a fixed rate, sent by :mod:`bench.load_client` in a process of its own."""
    rng = random.Random(rate)  # the same requests in every run
    # The cores are shared: the load average before the stage says how busy they already were.
    load_before = os.getloadavg()[0]
    requests = [
        pick(ids, rng) if ids is not None else ("GET", "/health/live", None)
        for _ in range(int(rate * seconds))
    ]
    done = subprocess.run(
        [sys.executable, "-m", "bench.load_client"],
        input=json.dumps({"url": url, "rate": rate, "requests": requests, "client": client}),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    answer = json.loads(done.stdout)
    latencies, lag = answer["latencies_ms"], answer["send_lag_ms"]
    return {
        "rate": rate,
        "requests": len(latencies),
        "errors": sum(answer["errors"].values()),
        "error_kinds": answer["errors"],
        "achieved_rate": len(latencies) / answer["elapsed_s"],
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "send_lag_p95": percentile(lag, 95) if lag else float("nan"),
        "client_cpu_ms_per_request": answer["client_cpu_s"] * 1000 / max(1, len(latencies)),
        "client_cpu_share": answer["client_cpu_s"] / answer["elapsed_s"],
        "load_average_before": load_before,
    }


def measure(quick: bool, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    seconds = 3.0 if quick else 15.0
    rates = [5, 10, 20, 40] if quick else [5, 10, 15, 20, 30, 40, 60, 80, 100, 120, 160, 200]
    ids = asyncio.run(seed_over_http(url, 20 if quick else 200))
    stage(url, 10, 2.0, ids)  # warm-up, not counted: first connections, caches, lazy imports
    mixed, baseline = [], []
    for rate in rates:
        result = stage(url, rate, seconds, ids)
        mixed.append(result)
        baseline.append(stage(url, rate, seconds, None))
        print(
            f"   {rate:>4}/s  p95 {result['p95']:.0f} ms  errors {result['errors']}  "
            f"client {result['client_cpu_ms_per_request']:.2f} ms CPU/request",
            flush=True,
        )
        if result["errors"] or result["p95"] > 1000:
            break
    return mixed, baseline


def client_costs(url: str, quick: bool) -> dict[str, float]:
    """CPU per request of the lean client and of httpx, the same liveness requests at 20/s."""
    seconds = 3.0 if quick else 15.0
    return {
        name: stage(url, 20, seconds, None, name)["client_cpu_ms_per_request"]
        for name in ("lean", "httpx")
    }


async def seed_over_http(url: str, count: int) -> list[str]:
    # Seeding is not measured, so httpx is fine here.
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await seed(client, count)


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
                publish_catalogue(
                    f"127.0.0.1:{env['HTK_KAFKA_PORT']}", str(ACTION["organisation_id"])
                )
            )
            time.sleep(3)  # the plan and organisation reach submissions' read copies
            mixed, baseline = measure(quick, launched.url)
            costs = client_costs(launched.url, quick)
        finally:
            launched.terminate()
    info = machine()
    rows = "\n".join(
        f"| {m['rate']} | {m['achieved_rate']:.1f} | {m['requests']} | {m['errors']} "
        f"| {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} | {m['send_lag_p95']:.1f} "
        f"| {m['client_cpu_ms_per_request']:.2f} | {100 * m['client_cpu_share']:.0f} % "
        f"| {b['p95']:.1f} | {m['load_average_before']:.1f} |"
        for m, b in zip(mixed, baseline, strict=False)
    )
    best = held(mixed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.md").write_text(
        "# Load test: 80 % search, 15 % browsing, 5 % submissions, through the gateway\n\n"
        + "\n".join(f"- {k}: {v}" for k, v in info.items())
        + "\n\nOpen loop: request i is due at start + i / rate and its latency counts from that "
        "due time (no coordinated omission). The client (`bench/load_client.py`, raw keep-alive "
        "HTTP/1.1) runs in a process of its own on the same cores; its CPU time is measured. "
        "The machine is shared with other work (the load average before each stage is in the last "
        "column; above 2 the cores were already busy before the test added anything), so figures "
        "vary between runs.\n\n"
        + (
            f"**Highest rate held with p95 < {HELD_P95_MS} ms and no errors: "
            f"{best['rate']}/s** (p95 {best['p95']:.1f} ms; the client spent "
            f"{best['client_cpu_ms_per_request']:.2f} ms of CPU per request).\n\n"
            if best
            else f"**No stage held p95 < {HELD_P95_MS} ms without errors.**\n\n"
        )
        + f"CPU per request of the client itself, the same liveness requests at 20/s: this lean "
        f"client {costs['lean']:.2f} ms, httpx {costs['httpx']:.2f} ms.\n\n"
        + "| rate per s | answered per s | requests | errors | p50 ms | p95 ms | p99 ms "
        "| client send lag p95 ms | client CPU ms per request | client CPU share of a core "
        "| baseline p95 ms (liveness) | load average before (2 cores) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n" + rows + "\n"
    )
    (RESULTS / "load.json").write_text(
        json.dumps(
            {"machine": info, "mixed": mixed, "baseline": baseline, "client_cpu_ms": costs},
            indent=2,
        )
    )
    shown = best or mixed[0]
    base = baseline[mixed.index(shown)]
    return [
        Figure(
            "load",
            f"highest rate held with p95 < {HELD_P95_MS} ms: p95 at {shown['rate']}/s",
            shown["p95"],
            "ms",
            f"gateway liveness p95 at {shown['rate']}/s",
            base["p95"],
            f"held rate (p95 < {HELD_P95_MS} ms, no errors)",
            f"held {best['rate'] if best else 0}/s; client "
            f"{shown['client_cpu_ms_per_request']:.2f} ms CPU/request; "
            f"stages: {[m['rate'] for m in mixed]}",
        ),
    ]


def held(stages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The highest-rate stage that kept p95 under the bound without errors."""
    ok = [m for m in stages if not m["errors"] and m["p95"] < HELD_P95_MS]
    return max(ok, key=lambda m: m["rate"]) if ok else None
