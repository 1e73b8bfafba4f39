"""Fan-out of aggregate changes to the Server-Sent Events clients of this process."""

import asyncio
import json
from typing import Any


class Broadcaster:
    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self.listeners: set[asyncio.Queue[dict[str, Any]]] = set()

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
                # A client too slow to keep up gets told to reload instead of stalling the rest.
                self.leave(queue)
                queue.put_nowait({"type": "resync"}) if not queue.full() else None


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str, separators=(',', ':'))}\n\n"
