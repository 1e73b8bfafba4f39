"""Fan-out of messages to many listeners, each with a bounded queue of its own.

A listener that does not keep up must neither stall the others nor grow memory without bound,
and it must not miss changes without knowing: when its queue is full, what it holds is thrown
away and replaced by one ``resync`` message, which tells it to read the current state again.
It keeps listening afterwards. (Reporting's Server-Sent Events and the gateway's live streams
both use this.)
"""

import asyncio
from typing import Any

RESYNC = "resync"


class Fanout:
    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = max(2, queue_size)
        self.listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        # How many times a listener was too slow and was told to resync (for metrics and tests).
        self.resyncs = 0

    def listen(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self.queue_size)
        self.listeners.add(queue)
        return queue

    def leave(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.listeners.discard(queue)

    def publish(self, message: dict[str, Any]) -> None:
        for queue in list(self.listeners):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                self._resync(queue, message)

    def _resync(self, queue: asyncio.Queue[dict[str, Any]], message: dict[str, Any]) -> None:
        # The backlog is stale anyway once a resync is due: drop it, so the resync fits and the
        # listener's next read is the resync, not a change it cannot place.
        while not queue.empty():
            queue.get_nowait()
        resync = {"type": RESYNC}
        if "plan_version" in message:
            resync["plan_version"] = message["plan_version"]
        queue.put_nowait(resync)
        self.resyncs += 1
