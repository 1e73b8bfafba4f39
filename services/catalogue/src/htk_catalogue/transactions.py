"""One MongoDB transaction per change: the state and its events commit together.

Aggregates carry a ``version``; a save succeeds only over the version it read, so two changes
racing on one aggregate cannot both win. The loser's whole change runs again on the new state.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from htk_catalogue.events import Topics
from htk_runtime.errors import DomainError
from htk_runtime.outbox import Outbox

T = TypeVar("T")
ATTEMPTS = 5


class Conflict(Exception):
    """The aggregate changed since it was read."""


async def save(
    collection: AsyncCollection[dict[str, Any]],
    session: AsyncClientSession,
    doc: dict[str, Any],
    read_version: int,
) -> None:
    """Write ``doc`` (whose version is already raised) over the version that was read."""
    if read_version == 0:
        await collection.insert_one(doc, session=session)
        return
    result = await collection.replace_one(
        {"_id": doc["_id"], "version": read_version}, doc, session=session
    )
    if result.matched_count != 1:
        raise Conflict(doc["_id"])


class Writer:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox, topics: Topics) -> None:
        self.db = db
        self.outbox = outbox
        self.topics = topics

    async def transaction(self, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
        for _ in range(ATTEMPTS):
            try:
                async with self.db.client.start_session() as session:
                    result = await session.with_transaction(work)
            except Conflict:
                continue
            self.outbox.notify()
            return result
        raise DomainError(409, "This changed while you were changing it; try again")


def now() -> datetime:
    """The time as MongoDB keeps it (milliseconds), so an event and a replay of it agree."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
