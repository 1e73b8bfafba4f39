"""Live streams next to the pages: 500 open ``/api/v1/coverage/stream`` connections while the
search page and the plan page are asked for at a steady rate.

Each figure is the p95 of a page with the streams open, next to the same page's p95 without
them, measured in the same run on the same platform. Streams were once passed through the
gateway's pool of upstream connections, so about 100 of them made every page a 503; now the
gateway holds one upstream subscription and fans it out (services/gateway/.../live.py).

The streams are lean raw sockets (a request, then read whatever comes), so the load generator
costs little of the two cores the platform runs on. All come from one address, so the
per-address cap is raised for the run.
"""

import asyncio
import contextlib
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.__main__ import RESULTS, machine
from bench.bench_load import ACTION, QUERIES, seed
from bench.figures import Figure, percentile

STREAMS = 500
PAGES = {
    "search page": lambda: f"/search?q={random.choice(QUERIES)}",
    "plan page": lambda: "/plan",
}


async def pages_p95(client: httpx.AsyncClient, rate: float, seconds: float) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {name: [] for name in PAGES}
    errors = 0

    async def one(name: str) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            answer = await client.get(PAGES[name](), headers={"Accept": "text/html"})
            if answer.status_code >= 400:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        latencies[name].append((time.perf_counter() - started) * 1000)

    tasks = []
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(list(PAGES)[i % len(PAGES)])))
    await asyncio.gather(*tasks)
    return {
        "errors": errors,
        **{
            name: {"p50": percentile(v, 50), "p95": percentile(v, 95)}
            for name, v in latencies.items()
        },
    }


class Stream:
    """One open stream on a raw socket: the status line, then whatever the gateway sends."""

    def __init__(self) -> None:
        self.status = 0
        self.events = 0
        self.task: asyncio.Task[None] | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self, host: str, port: int) -> None:
        reader, self.writer = await asyncio.open_connection(host, port)
        self.writer.write(
            f"GET /api/v1/coverage/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        status_line = await reader.readline()
        self.status = int(status_line.split()[1])
        self.task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(Exception):
            while line := await reader.readline():
                if line.startswith(b"event: "):
                    self.events += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.task is not None:
            self.task.cancel()


async def measure(quick: bool, url: str) -> dict[str, Any]:
    seconds, rate = (5.0, 4.0) if quick else (30.0, 8.0)
    count = 50 if quick else STREAMS
    host, port = url.removeprefix("http://").rsplit(":", 1)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await seed(client, 10 if quick else 60)
        await pages_p95(client, rate, 2.0)  # warm-up: caches, connections
        without = await pages_p95(client, rate, seconds)
        streams = [Stream() for _ in range(count)]
        for stream in streams:
            await stream.open(host, int(port))
        opened = sum(s.status == 200 for s in streams)
        ready = (await client.get("/health/ready")).json().get("live_streams", {})
        with_streams = await pages_p95(client, rate, seconds)
        greeted = sum(s.events > 0 for s in streams)
        for stream in streams:
            stream.close()
        # Again without: on a shared machine the noise between phases is part of the answer.
        await asyncio.sleep(2.0)
        after = await pages_p95(client, rate, seconds)
    return {
        "streams": count,
        "opened": opened,
        "greeted": greeted,
        "ready": ready,
        "rate": rate,
        "seconds": seconds,
        "without": without,
        "with": with_streams,
        "after": after,
    }


def run(quick: bool) -> list[Figure]:
    from tests.e2e.catalogue_seed import publish_catalogue
    from tests.e2e.platform import launch, platform_env

    with tempfile.TemporaryDirectory(prefix="htk-streams-") as tmp:
        env = platform_env(Path(tmp) / "var")
        env["HTK_WRITES_PER_MINUTE"] = "100000"
        env["HTK_STREAMS_PER_ADDRESS"] = str(STREAMS + 10)  # every stream comes from here
        launched = launch(env, "--dev-open-writes")
        try:
            launched.wait_running()
            asyncio.run(
                publish_catalogue(f"127.0.0.1:{env['HTK_KAFKA_PORT']}", ACTION["organisation_id"])
            )
            time.sleep(3)
            result = asyncio.run(measure(quick, launched.url))
        finally:
            launched.terminate()
    info = machine()
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(
        f"| {name} | {result['without'][name]['p50']:.1f} | {result['without'][name]['p95']:.1f} "
        f"| {result['with'][name]['p50']:.1f} | {result['with'][name]['p95']:.1f} "
        f"| {result['after'][name]['p95']:.1f} |"
        for name in PAGES
    )
    (RESULTS / "streams.md").write_text(
        f"# Pages with {result['streams']} live streams open, next to the same pages without\n\n"
        + "\n".join(f"- {k}: {v}" for k, v in info.items())
        + f"\n- streams opened (200): {result['opened']} of {result['streams']}; "
        f"greeted with an event: {result['greeted']}"
        + f"\n- page rate: {result['rate']}/s for {result['seconds']} s each; errors without "
        f"streams {result['without']['errors']}, with streams {result['with']['errors']}"
        + f"\n- gateway readiness with the streams open: {json.dumps(result['ready'])}\n\n"
        "| page | p50 ms without | p95 ms without | p50 ms with streams | p95 ms with streams "
        "| p95 ms without, after the streams closed |\n"
        "|---|---|---|---|---|---|\n" + rows + "\n"
    )
    (RESULTS / "streams.json").write_text(json.dumps({"machine": info, **result}, indent=2))
    return [
        Figure(
            "streams",
            f"{name} p95 with {result['streams']} live streams open",
            result["with"][name]["p95"],
            "ms",
            f"{name} p95 without streams",
            result["without"][name]["p95"],
            "ratio near 1, no errors",
            f"opened {result['opened']}/{result['streams']}, errors {result['with']['errors']}",
        )
        for name in PAGES
    ]
