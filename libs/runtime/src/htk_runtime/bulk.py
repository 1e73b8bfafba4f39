"""Mechanics of the rebuilds that read a whole collection and write a whole result: read on
while the last part is worked on, and keep the cycle collector out of the way."""

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


async def read_ahead(parts: AsyncIterator[T], ahead: int = 4) -> AsyncIterator[T]:
    """The parts, read on while the caller works on the last one."""
    queue: asyncio.Queue[tuple[T] | None] = asyncio.Queue(maxsize=ahead)

    async def read() -> None:
        try:
            async for part in parts:
                await queue.put((part,))
        finally:
            await queue.put(None)

    reader = asyncio.create_task(read())
    try:
        while (item := await queue.get()) is not None:
            yield item[0]
        await reader  # a failed read raises here
    finally:
        reader.cancel()


@contextmanager
def collector_paused() -> Iterator[None]:
    """A rebuild makes millions of small objects that form no cycles, and the cycle collector
    walks them again and again as they age (bench/results name what it cost): paused for the
    rebuild only, and only if it ran."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
