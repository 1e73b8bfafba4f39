"""Sessions and single-use login links, both stored only as hashes of their secrets.

A login link works once and for 15 minutes. Following it starts a new session with a new id
(no session fixation); logging out ends one session, or every session of the member.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.mongo import ensure_ttl_index

SESSIONS = "sessions"
LINKS = "login_links"
# Retention (deploy/README.md): the database deletes a session when it expires, and a login link
# a day after it expired (used or not), long enough to answer "was my link used?".
SESSION_RETENTION_AFTER_EXPIRY = timedelta(0)
LINK_RETENTION_AFTER_EXPIRY = timedelta(days=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Sessions:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], ttl: timedelta) -> None:
        self.sessions = db[SESSIONS]
        self.ttl = ttl

    async def ensure_indexes(self) -> None:
        await self.sessions.create_index([("member_id", ASCENDING)])
        await ensure_ttl_index(
            self.sessions, "expires_at", int(SESSION_RETENTION_AFTER_EXPIRY.total_seconds())
        )

    async def start(self, member_id: str) -> str:
        secret = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        await self.sessions.insert_one(
            {
                "_id": digest(secret),
                "member_id": member_id,
                "created_at": now,
                "expires_at": now + self.ttl,
            }
        )
        return secret

    async def member_of(self, secret: str) -> str | None:
        session = await self.sessions.find_one({"_id": digest(secret)})
        if session is None or session["expires_at"] < datetime.now(UTC):
            return None
        return str(session["member_id"])

    async def end(self, secret: str) -> None:
        await self.sessions.delete_one({"_id": digest(secret)})

    async def end_all(self, member_id: str) -> int:
        result = await self.sessions.delete_many({"member_id": member_id})
        return result.deleted_count


class LoginLinks:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], ttl: timedelta) -> None:
        self.links = db[LINKS]
        self.ttl = ttl

    async def ensure_indexes(self) -> None:
        await ensure_ttl_index(
            self.links, "expires_at", int(LINK_RETENTION_AFTER_EXPIRY.total_seconds())
        )

    async def issue(self, member_id: str) -> str:
        secret = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        await self.links.insert_one(
            {
                "_id": digest(secret),
                "member_id": member_id,
                "created_at": now,
                "expires_at": now + self.ttl,
                "used_at": None,
            }
        )
        return secret

    async def use(self, secret: str) -> str | None:
        """The member the link is for, once; None when unknown, used or expired."""
        now = datetime.now(UTC)
        link = await self.links.find_one_and_update(
            {"_id": digest(secret), "used_at": None, "expires_at": {"$gt": now}},
            {"$set": {"used_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        return str(link["member_id"]) if link else None
