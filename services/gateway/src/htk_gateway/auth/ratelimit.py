"""Fixed-window rate limits kept in the database, so every gateway replica counts together."""

import hashlib
import math
import re
import time
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.errors import DomainError
from htk_runtime.mongo import ensure_ttl_index


def email_key(email: str) -> str:
    """A counter per address without the address in the database (counters outlive erasure)."""
    return "link-email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class RateLimiter:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.counters = db["rate_limits"]

    async def ensure_indexes(self) -> None:
        # A counter is deleted by the database once its window is over (deploy/README.md).
        await ensure_ttl_index(self.counters, "expires_at", 0)

    async def hit(self, key: str, limit: int, window_seconds: int) -> None:
        """Count one request for ``key``; 429 with Retry-After once ``limit`` is passed."""
        now = time.time()
        window = math.floor(now / window_seconds)
        counter = await self.counters.find_one_and_update(
            {"_id": f"{key}:{window_seconds}:{window}"},
            {
                "$inc": {"count": 1},
                "$setOnInsert": {
                    "window_ends": (window + 1) * window_seconds,
                    "expires_at": datetime.fromtimestamp((window + 1) * window_seconds, UTC),
                },
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None  # upserted
        if counter["count"] > limit:
            retry_after = max(1, math.ceil(counter["window_ends"] - now))
            raise DomainError(
                429,
                f"Too many requests; try again in {retry_after} seconds",
                headers={"Retry-After": str(retry_after)},
            )

    async def forget(self, key: str) -> None:
        """Drop every window's counter of ``key`` (an erased member's address)."""
        await self.counters.delete_many({"_id": {"$regex": f"^{re.escape(key)}:"}})
