"""API tokens of organisations, stored only as SHA-256 hashes of their secrets.

A token is ``htk_`` and 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits): so much
entropy that a plain hash is enough, and the lookup by hash is one indexed query. The secret is
shown once, when made; afterwards only its first characters identify it on the list. A revoked
or expired token stays listed, so that a call with it is refused with the reason, until the
database forgets it (``RETENTION`` after it ended).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.mongo import ensure_ttl_index

TOKENS = "api_tokens"
PREFIX = "htk_"
# Enough of the token to recognise it on the list, far too little to guess the rest.
SHOWN_CHARACTERS = len(PREFIX) + 6
RETENTION = timedelta(days=90)
# A token acts as the member "token:<id>" of its organisation (caller.py).
MEMBER_PREFIX = "token:"
# Last use is written at most once a minute per token: a busy integration must not turn every
# read into a database write.
LAST_USE_RESOLUTION = timedelta(minutes=1)


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Made:
    id: str
    secret: str


class ApiTokens:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.tokens = db[TOKENS]

    async def ensure_indexes(self) -> None:
        await self.tokens.create_index([("hash", ASCENDING)], unique=True)
        await self.tokens.create_index([("organisation_id", ASCENDING), ("created_at", ASCENDING)])
        await ensure_ttl_index(self.tokens, "forget_at", 0)

    async def make(
        self,
        organisation_id: str,
        name: str,
        scope: Scope,
        valid_for: timedelta,
        created_by: str,
    ) -> Made:
        secret = PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        token_id = secrets.token_hex(8)
        await self.tokens.insert_one(
            {
                "_id": token_id,
                "hash": digest(secret),
                "shown": secret[:SHOWN_CHARACTERS],
                "organisation_id": organisation_id,
                "name": name,
                "scope": scope.value,
                "created_by": created_by,
                "created_at": now,
                "expires_at": now + valid_for,
                "revoked_at": None,
                "last_used_at": None,
                "forget_at": now + valid_for + RETENTION,
            }
        )
        return Made(token_id, secret)

    async def of(self, organisation_id: str) -> list[dict[str, Any]]:
        cursor = self.tokens.find({"organisation_id": organisation_id}, {"hash": 0}).sort(
            "created_at", DESCENDING
        )
        return [doc async for doc in cursor.limit(500)]

    async def find(self, secret: str) -> dict[str, Any] | None:
        """The token with this secret, revoked and expired ones too (the caller says why)."""
        return await self.tokens.find_one({"hash": digest(secret)})

    async def get(self, organisation_id: str, token_id: str) -> dict[str, Any] | None:
        return await self.tokens.find_one(
            {"_id": token_id, "organisation_id": organisation_id}, {"hash": 0}
        )

    async def names(self, member_ids: Any) -> dict[str, str]:
        """``{"token:<id>": name}`` for the token members among ``member_ids`` (history pages
        name who did what; a forgotten token has no entry)."""
        wanted = {
            str(m)[len(MEMBER_PREFIX) :] for m in member_ids if str(m).startswith(MEMBER_PREFIX)
        }
        if not wanted:
            return {}
        cursor = self.tokens.find({"_id": {"$in": sorted(wanted)}}, {"name": 1})
        return {f"{MEMBER_PREFIX}{doc['_id']}": str(doc["name"]) async for doc in cursor}

    async def revoke(self, organisation_id: str, token_id: str, by: str) -> bool:
        """True when the token was in use until now; revoking twice changes nothing."""
        now = datetime.now(UTC)
        result = await self.tokens.update_one(
            {"_id": token_id, "organisation_id": organisation_id, "revoked_at": None},
            {"$set": {"revoked_at": now, "revoked_by": by, "forget_at": now + RETENTION}},
        )
        return result.modified_count == 1

    async def used(self, token: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        last = token.get("last_used_at")
        if last is not None and _aware(last) > now - LAST_USE_RESOLUTION:
            return
        # Conditional, so that replicas racing in the same minute write once.
        await self.tokens.update_one(
            {
                "_id": token["_id"],
                "$or": [
                    {"last_used_at": None},
                    {"last_used_at": {"$lte": now - LAST_USE_RESOLUTION}},
                ],
            },
            {"$set": {"last_used_at": now}},
        )


def _aware(value: datetime) -> datetime:
    # MongoDB hands back naive datetimes that are UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def status(token: dict[str, Any], now: datetime | None = None) -> str:
    """active, revoked or expired."""
    if token.get("revoked_at") is not None:
        return "revoked"
    if _aware(token["expires_at"]) <= (now or datetime.now(UTC)):
        return "expired"
    return "active"
