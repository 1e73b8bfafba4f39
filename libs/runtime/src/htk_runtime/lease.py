"""A lease in the database: one replica at a time does a piece of work, the others wait.

The lease is one document ``{_id: name, owner, expires}``. The holder renews it while it works;
a holder that dies stops renewing, and the lease is free again once ``expires`` has passed, so a
killed replica never blocks the others for longer than ``ttl``.
"""

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


class LeaseLost(Exception):
    """The lease expired or was taken over before the holder finished."""


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        name: str,
        owner: str | None = None,
        ttl: timedelta = timedelta(seconds=30),
        poll_seconds: float = 0.2,
    ) -> None:
        self.collection = collection
        self.name = name
        self.owner = owner or owner_id()
        self.ttl = ttl
        self.poll_seconds = poll_seconds

    def _free(self, now: datetime) -> dict[str, Any]:
        return {
            "_id": self.name,
            "$or": [{"owner": None}, {"owner": self.owner}, {"expires": {"$lt": now}}],
        }

    async def try_acquire(self) -> bool:
        now = datetime.now(UTC)
        try:
            taken = await self.collection.find_one_and_update(
                self._free(now),
                {"$set": {"owner": self.owner, "expires": now + self.ttl}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # held by another: the upsert tried to insert a second one
            return False
        return taken is not None

    async def renew(self) -> None:
        now = datetime.now(UTC)
        renewed = await self.collection.update_one(
            {"_id": self.name, "owner": self.owner}, {"$set": {"expires": now + self.ttl}}
        )
        if renewed.matched_count == 0:
            raise LeaseLost(f"lease {self.name} is no longer held by {self.owner}")

    async def release(self, **fields: Any) -> None:
        """Frees the lease, leaving ``fields`` on its document for the others to read."""
        await self.collection.update_one(
            {"_id": self.name, "owner": self.owner}, {"$set": {"owner": None, **fields}}
        )

    def _held_by_other(self, doc: dict[str, Any] | None) -> bool:
        return bool(
            doc
            and doc.get("owner") not in (None, self.owner)
            and doc["expires"].replace(tzinfo=UTC) > datetime.now(UTC)
        )

    async def held_by_other(self) -> bool:
        return self._held_by_other(await self.document())

    async def document(self) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": self.name})

    async def wait_until_free(self) -> dict[str, Any] | None:
        """Waits while another owner holds the lease; the lease document (or None) after."""
        while True:  # polled: the holder is another process, there is nothing to wait on
            doc = await self.document()
            if not self._held_by_other(doc):
                return doc
            await asyncio.sleep(self.poll_seconds)

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator["Lease"]:
        """Acquires (waiting for others), renews every third of ``ttl`` while the body runs, and
        releases afterwards. The body calls :meth:`renew` before a step that must not happen
        without the lease (it raises :class:`LeaseLost`)."""
        while True:  # polled: the holder is another process, there is nothing to wait on
            if await self.try_acquire():
                break
            await asyncio.sleep(self.poll_seconds)

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.ttl.total_seconds() / 3)
                with contextlib.suppress(LeaseLost):
                    await self.renew()

        keeper = asyncio.create_task(keep())
        try:
            yield self
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self.release()  # no-op when the body released it already
