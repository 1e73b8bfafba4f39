"""Which aggregate version a projection holds, so it applies only newer events.

Events carry the aggregate's version after the change. Applying only a newer one makes replays,
duplicates and late arrivals harmless.
"""

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


async def store_if_newer(
    collection: AsyncCollection[dict[str, Any]],
    aggregate_id: str,
    version: int,
    fields: dict[str, Any] | None = None,
    session: AsyncClientSession | None = None,
) -> bool:
    """Set ``fields`` and ``version`` unless a newer or equal version is held; True if stored."""
    try:
        result = await collection.update_one(
            {"_id": aggregate_id, "version": {"$lt": version}},
            {"$set": {**(fields or {}), "version": version}},
            upsert=True,
            session=session,
        )
    except DuplicateKeyError:
        return False  # the document exists with a version >= this one
    return result.modified_count == 1 or result.upserted_id is not None


class VersionLedger:
    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection

    async def held(self, aggregate_id: str, session: AsyncClientSession | None = None) -> int:
        doc = await self.collection.find_one({"_id": aggregate_id}, session=session)
        return int(doc["version"]) if doc else 0

    async def is_newer(
        self, aggregate_id: str, version: int, session: AsyncClientSession | None = None
    ) -> bool:
        return version > await self.held(aggregate_id, session)

    async def record(
        self, aggregate_id: str, version: int, session: AsyncClientSession | None = None
    ) -> bool:
        """Store ``version`` unless a newer one is held; True if it was stored."""
        return await store_if_newer(self.collection, aggregate_id, version, session=session)
