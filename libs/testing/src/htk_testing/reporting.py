"""Test support: a projection over a database of its own, holding the example plan."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.counting.projection import Projection
from htk_reporting.model.geography import Geography
from htk_testing.reporting_events import example_plan


@asynccontextmanager
async def scratch_projection(
    uri: str, geo: Geography, prefix: str = "scratch"
) -> AsyncIterator[tuple[AsyncDatabase[dict[str, Any]], Projection]]:
    """A projection with the example plan in force, on a database dropped afterwards."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    db = client[f"{prefix}_{uuid.uuid4().hex[:10]}"]
    try:
        projection = Projection(db, geo)
        await projection.load()
        await projection.apply_plan(example_plan())
        yield db, projection
    finally:
        await client.drop_database(db.name)
        await client.close()
