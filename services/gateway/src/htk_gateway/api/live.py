"""Live figures (``/api/v1/coverage/stream``): one upstream subscription, fanned out here.

A stream is open for as long as a dashboard is, so it must not hold anything the pages need.
The gateway subscribes once to reporting's stream, on a client of its own (not the pool that
pages and the API borrow from), and hands each event to every open stream through a bounded
queue (:class:`htk_runtime.fanout.Fanout`): a reader that falls behind gets a ``resync`` instead
of the backlog, and never slows the others. Open streams are capped per client address and in
all, so a flood of streams is refused with 429 or 503 rather than filling the process, and
readiness reports how full the streams are.

The caps are per gateway process: each replica holds its own streams and its own one upstream.
"""

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from htk_runtime.errors import DomainError
from htk_runtime.fanout import RESYNC, Fanout

log = logging.getLogger(__name__)

# After how long a refused stream may try again; EventSource itself retries after ~3 s.
RETRY_AFTER_SECONDS = 30
MAX_BACKOFF_SECONDS = 30.0


def sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n"


class LiveStreams:
    def __init__(
        self,
        upstream_url: str,
        *,
        per_address: int,
        total: int,
        queue_size: int,
        heartbeat_seconds: float,
    ) -> None:
        self.upstream_url = upstream_url
        self.per_address = per_address
        self.total = total
        self.heartbeat_seconds = heartbeat_seconds
        self.fanout = Fanout(queue_size)
        self.open: Counter[str] = Counter()
        self.refused = 0
        # The last ``hello`` from upstream, with its total kept current from later changes: what
        # a stream that opens now is greeted with.
        self.hello: dict[str, Any] | None = None
        self.connected = False
        self.task: asyncio.Task[None] | None = None
        # A client of its own: the upstream stream never takes a connection that pages need.
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(None, connect=5.0))

    @property
    def open_total(self) -> int:
        return sum(self.open.values())

    def status(self) -> dict[str, Any]:
        """For readiness: saturation is reported, but does not make the replica unready (its
        pages still answer; only new streams are refused)."""
        return {
            "open": self.open_total,
            "limit": self.total,
            "limit_per_address": self.per_address,
            "saturated": self.open_total >= self.total,
            "upstream": "connected" if self.connected else ("connecting" if self.task else "idle"),
            "refused": self.refused,
            "resyncs": self.fanout.resyncs,
        }

    def admit(self, address: str) -> None:
        if self.open_total >= self.total:
            self.refused += 1
            log.warning("live streams full", extra={"open": self.open_total})
            raise DomainError(
                503,
                f"The live figures are at capacity ({self.total} open streams); the figures on "
                "the page are current as loaded; try again shortly",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if self.open[address] >= self.per_address:
            self.refused += 1
            raise DomainError(
                429,
                f"Too many live streams from your address (at most {self.per_address}); close "
                "one or try again later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self.open[address] += 1

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]

    def subscribe(self) -> None:
        """Start the one upstream subscription on first use (and again if it ever ended)."""
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._follow_upstream(), name="live-upstream")

    async def _follow_upstream(self) -> None:
        delay = 0.5
        first = True
        while True:
            try:
                async with self.client.stream("GET", self.upstream_url) as answer:
                    answer.raise_for_status()
                    self.connected = True
                    delay = 0.5
                    if not first:
                        # Changes may have been missed while away: everyone reads again.
                        self.fanout.publish({"type": RESYNC})
                    first = False
                    await self._relay(answer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "live upstream lost, reconnecting",
                    extra={"error": repr(exc), "retry_in": delay},
                )
            self.connected = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)

    async def _relay(self, answer: httpx.Response) -> None:
        event, data = "message", list[str]()
        async for line in answer.aiter_lines():
            if line == "":
                if data:
                    self.dispatch(event, "\n".join(data))
                event, data = "message", list[str]()
            elif line.startswith(":"):
                continue  # upstream keep-alive; each stream sends its own
            elif line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").removeprefix(" "))

    def dispatch(self, event: str, data: str) -> None:
        """One event from upstream, to every open stream."""
        if event == "hello":
            with contextlib.suppress(ValueError):
                self.hello = json.loads(data)
        elif event == "coverage" and self.hello is not None:
            with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError):
                whole = json.loads(data)["nodes"]["*"]
                self.hello.setdefault("total", {})["actions"] = whole
        self.fanout.publish({"type": event, "raw": data})

    def response(self, request: Request, address: str) -> StreamingResponse:
        self.admit(address)
        self.subscribe()
        queue = self.fanout.listen()
        stopping = request.app.state.service.ctx().stopping
        released = False

        def close() -> None:
            nonlocal released
            if not released:
                released = True
                self.fanout.leave(queue)
                self.release(address)

        async def events() -> AsyncIterator[str]:
            try:
                if self.hello is not None:
                    yield sse("hello", json.dumps(self.hello, separators=(",", ":")))
                while not stopping.is_set():
                    try:
                        message = await asyncio.wait_for(queue.get(), self.heartbeat_seconds)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    raw = message.get("raw")
                    if raw is None:
                        raw = json.dumps(message, separators=(",", ":"))
                    yield sse(str(message.get("type", "message")), raw)
            finally:
                close()

        return LiveResponse(
            events(),
            on_close=close,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.client.aclose()


class LiveResponse(StreamingResponse):
    """Frees the stream's place however the response ends, even when the client left before
    the body began (the generator's own ``finally`` never runs then)."""

    def __init__(self, content: AsyncIterator[str], *, on_close: Any, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.on_close()
