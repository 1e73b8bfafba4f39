"""Live streams against a running gateway and reporting, over real sockets.

Many open streams must not starve the rest of the gateway (they once shared its pool of
upstream connections, and about 100 streams made every other page a 503), they are capped per
client address and in all with a clear refusal, readiness reports how full they are, and a
reader that stops reading is told to resync instead of being dropped without a word.
"""

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from htk_gateway.main import create_service as create_gateway
from htk_gateway.settings import GatewaySettings
from htk_reporting.main import create_service as create_reporting
from htk_reporting.settings import ReportingSettings
from htk_runtime.service import Service
from htk_testing.runtime import eventually, serving

PER_ADDRESS = 3
# More than httpx's default pool of 100 connections the pages once shared with the streams.
TOTAL = 120
QUEUE = 8


@asynccontextmanager
async def gateway_and_reporting(
    service_env: dict[str, str],
) -> AsyncIterator[tuple[str, Service, Service]]:
    database = service_env["HTK_MONGO_DATABASE"]
    reporting = create_reporting(ReportingSettings(mongo_database=f"{database}_reporting"))
    async with serving(reporting.app()) as reporting_url:
        gateway = create_gateway(
            GatewaySettings(
                mongo_database=f"{database}_gateway",
                reporting_url=reporting_url,
                catalogue_url="http://127.0.0.1:1",
                gateway_secret="test-gateway-secret",
                # The test's clients pretend to come through an ingress on 127.0.0.1.
                trusted_proxies="127.0.0.1",
                streams_per_address=PER_ADDRESS,
                streams_total=TOTAL,
                stream_queue_size=QUEUE,
            )
        )
        async with serving(gateway.app()) as gateway_url:
            yield gateway_url, gateway, reporting


def visitor(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.7, 10.1.{n // 250}.{n % 250 + 1}"}


async def next_event(lines: AsyncIterator[str]) -> str:
    # One iterator per stream for the whole test: an abandoned one closes the connection.
    async for line in lines:
        if line.startswith("event: "):
            return line.removeprefix("event: ")
    raise AssertionError("the stream ended")


async def test_many_streams_leave_the_pages_alone_and_are_capped(
    service_env: dict[str, str],
) -> None:
    async with (
        gateway_and_reporting(service_env) as (base, gateway, reporting),
        httpx.AsyncClient(
            base_url=base,
            timeout=30,
            limits=httpx.Limits(max_connections=400, max_keepalive_connections=0),
        ) as http,
    ):
        live = gateway.ctx().state["live"]
        async with AsyncExitStack() as streams:
            first = await streams.enter_async_context(
                http.stream("GET", "/api/v1/coverage/stream", headers=visitor(0))
            )
            assert first.status_code == 200
            lines = first.aiter_lines()
            assert await asyncio.wait_for(next_event(lines), 30) == "hello", "upstream totals"

            # Up to the cap from one address; one more is a 429 saying why and when to retry.
            for _ in range(PER_ADDRESS - 1):
                opened = await streams.enter_async_context(
                    http.stream("GET", "/api/v1/coverage/stream", headers=visitor(0))
                )
                assert opened.status_code == 200
            refused = await http.get("/api/v1/coverage/stream", headers=visitor(0))
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["retry-after"]) > 0
            assert "live streams from your address" in refused.json()["message"]

            # Everyone else fills the gateway up to its total; then it refuses with a 503.
            i = 0
            while live.open_total < TOTAL:
                opened = await streams.enter_async_context(
                    http.stream(
                        "GET", "/api/v1/coverage/stream", headers=visitor(1 + i // PER_ADDRESS)
                    )
                )
                assert opened.status_code == 200, (i, opened.status_code)
                i += 1
            full = await http.get("/api/v1/coverage/stream", headers=visitor(9999))
            assert full.status_code == 503 and int(full.headers["retry-after"]) > 0
            assert "capacity" in full.json()["message"]

            # With every stream open, the pages and the API still answer (the bound only turns
            # a hang behind the streams into a failure; how fast is the benchmark's business).
            for path in ("/api/v1/coverage", "/api/v1/coverage/needs-push", "/health/live"):
                answer = await asyncio.wait_for(http.get(path), timeout=60)
                assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
            ready = (await http.get("/health/ready")).json()
            # Full streams do not take the replica's pages out of rotation: a report, not a check
            # (the status may still wait for the test session's broker).
            assert "live_streams" not in ready["checks"]
            assert ready["live_streams"]["saturated"] is True
            assert ready["live_streams"]["open"] == TOTAL
            assert ready["live_streams"]["upstream"] == "connected"
            # One upstream subscription serves all of them.
            assert len(reporting.ctx().state["projection"].broadcaster.listeners) == 1

        # Closed streams give their places back.
        await eventually(lambda: asyncio.sleep(0, live.open_total == 0))
        assert (await http.get("/health/ready")).json()["live_streams"]["saturated"] is False


def _raw_stream(port: int) -> socket.socket:
    """A client that asks for the stream and then does not read: its receive buffer is tiny,
    so the gateway's writes back up as they would to a stalled phone."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        b"GET /api/v1/coverage/stream HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n"
    )
    return sock


async def test_a_reader_that_falls_behind_gets_a_resync_and_the_others_everything(
    service_env: dict[str, str],
) -> None:
    async with (
        gateway_and_reporting(service_env) as (base, gateway, _),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
        http.stream("GET", "/api/v1/coverage/stream") as fast,
    ):
        live = gateway.ctx().state["live"]
        lines = fast.aiter_lines()
        assert await asyncio.wait_for(next_event(lines), 30) == "hello"
        slow = _raw_stream(int(base.rsplit(":", 1)[1]))
        try:
            await eventually(lambda: asyncio.sleep(0, len(live.fanout.listeners) == 2))
            padding = "x" * 8000
            run = uuid.uuid4().hex[:6]
            received: list[str] = []

            async def read_fast() -> None:
                async for line in lines:
                    if line.startswith("data: ") and run in line:
                        received.append(json.loads(line.removeprefix("data: "))["action_id"])
                        if len(received) == 300:
                            return

            reader = asyncio.create_task(read_fast())
            for i in range(300):
                data = {"action_id": f"{run}-{i}", "nodes": {"*": i}, "padding": padding}
                live.dispatch("coverage", json.dumps(data))
                # A reader that keeps up: never more than a few events behind.
                await eventually(
                    lambda i=i: asyncio.sleep(0, len(received) >= i - 2), interval=0.001
                )
            await asyncio.wait_for(reader, 30)
            assert received == [f"{run}-{i}" for i in range(300)], "the fast reader got all"
            assert live.fanout.resyncs >= 1

            # The slow reader reads at last: somewhere in what it gets is the resync.
            # A larger buffer now, so the window opens again at once (the kernel's probes of a
            # closed window back off to many seconds while nobody read).
            slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            slow.setblocking(False)
            loop = asyncio.get_running_loop()
            got = b""
            deadline = time.monotonic() + 30
            while b"event: resync" not in got and time.monotonic() < deadline:
                try:
                    chunk = await asyncio.wait_for(loop.sock_recv(slow, 65536), 5)
                except TimeoutError:
                    break
                if not chunk:
                    break
                got += chunk
            assert b"event: resync" in got, (len(got), got.count(b"action_id"), got[-300:])
            assert got.count(b'"action_id"') < 300, "it was not sent the whole backlog"
        finally:
            slow.close()
