"""The rebuilds' read-ahead gives every part in order, reads on while the caller works, and
passes a failed read on; the collector comes back as it was."""

import asyncio
import gc
from collections.abc import AsyncIterator

import pytest

from htk_runtime.bulk import collector_paused, read_ahead


async def test_read_ahead_gives_every_part_in_order_and_reads_on() -> None:
    read: list[int] = []

    async def parts() -> AsyncIterator[int]:
        for i in range(10):
            read.append(i)
            yield i

    seen = []
    async for part in read_ahead(parts(), ahead=3):
        if part == 0:
            await asyncio.sleep(0.05)  # the caller works on the first part ...
            assert len(read) > 1  # ... while the next ones are read
        seen.append(part)
    assert seen == list(range(10))


async def test_a_failed_read_reaches_the_caller_after_the_parts_before_it() -> None:
    async def parts() -> AsyncIterator[int]:
        yield 1
        raise OSError("connection lost")

    seen = []
    with pytest.raises(OSError, match="connection lost"):
        async for part in read_ahead(parts()):
            seen.append(part)
    assert seen == [1]


def test_the_collector_is_paused_and_restored_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not end the outer one
    assert gc.isenabled()
