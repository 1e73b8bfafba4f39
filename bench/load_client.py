"""An open-loop load client in a process of its own: ``python -m bench.load_client < plan.json``.

The plan (JSON on stdin) names the base URL, the rate per second and the requests in the order
they are sent: ``{"url": ..., "rate": 40, "requests": [["GET", "/path", null], ...]}``. Request
``i`` is due at ``start + i / rate`` whatever happened to the earlier ones, and its latency is
counted from that due time, not from when the client got round to sending it: a server (or a
client) that falls behind shows up as latency instead of quietly lowering the rate (coordinated
omission). The answer (JSON on stdout) carries every latency, the errors, how late the client
itself sent (``send_lag_ms``: if this grows, the client and not the server is the limit), and the
client's own CPU time, so the load figure can be read next to what generating it cost on the same
cores.

It is :mod:`bench.http_load` (raw keep-alive HTTP/1.1, about 0.2 ms of CPU per request) rather
than httpx (about 5 ms), and a separate process so that its CPU is its own to measure.
"""

import asyncio
import json
import resource
import sys
from typing import Any

from bench.http_load import Connection, PreparedRequest

TIMEOUT_S = 10.0
MAX_CONNECTIONS = 256  # more in flight than this wait for a connection; their clock still runs


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drive(url: str, rate: float, requests: list[PreparedRequest]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    idle: list[Connection] = []
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    latencies: list[float] = []
    send_lag: list[float] = []
    errors: dict[str, int] = {}

    async def one(due: float, request: PreparedRequest) -> None:
        send_lag.append((loop.time() - due) * 1000)
        async with slots:
            connection: Connection | None = idle.pop() if idle else Connection(request)
            assert connection is not None
            try:
                status = await asyncio.wait_for(connection.send(request), TIMEOUT_S)
                if status >= 400:
                    errors[str(status)] = errors.get(str(status), 0) + 1
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                await connection.close()
                connection = None
            finally:
                if connection is not None:
                    idle.append(connection)
        latencies.append((loop.time() - due) * 1000)

    tasks = []
    cpu_before = cpu_seconds()
    start = loop.time() + 0.05
    for i, request in enumerate(requests):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, request)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    cpu = cpu_seconds() - cpu_before
    for connection in idle:
        await connection.close()
    return {
        "latencies_ms": latencies,
        "send_lag_ms": send_lag,
        "errors": errors,
        "client_cpu_s": cpu,
        "elapsed_s": elapsed,
    }


async def drive_httpx(url: str, rate: float, plan: list[list[Any]]) -> dict[str, Any]:
    """The same open loop sent with httpx, only to measure what httpx itself costs per request."""
    import httpx

    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=MAX_CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_S, limits=limits) as client:

        async def one(due: float, method: str, path: str, body: Any) -> None:
            try:
                response = await client.request(method, path, json=body)
                if response.status_code >= 400:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            latencies.append((loop.time() - due) * 1000)

        tasks = []
        cpu_before = cpu_seconds()
        start = loop.time() + 0.05
        for i, (method, path, body) in enumerate(plan):
            due = start + i / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due, method, path, body)))
        await asyncio.gather(*tasks)
        elapsed = loop.time() - start
        cpu = cpu_seconds() - cpu_before
    return {
        "latencies_ms": latencies,
        "send_lag_ms": [],
        "errors": errors,
        "client_cpu_s": cpu,
        "elapsed_s": elapsed,
    }


def main() -> None:
    plan = json.load(sys.stdin)
    url, rate = plan["url"], float(plan["rate"])
    if plan.get("client") == "httpx":
        json.dump(asyncio.run(drive_httpx(url, rate, plan["requests"])), sys.stdout)
        return
    requests = [PreparedRequest(url, m, p, {}, body) for m, p, body in plan["requests"]]
    json.dump(asyncio.run(drive(url, rate, requests)), sys.stdout)


if __name__ == "__main__":
    main()
