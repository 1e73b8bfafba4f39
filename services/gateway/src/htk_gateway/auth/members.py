"""The gateway's read copy of members, from ``catalogue.members.v1``: who may sign in, and the
roles that go into the signed user token. An erased member is dropped and signed out."""

import asyncio
import time
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from htk_contracts.envelope import Envelope
from htk_runtime.auth import User
from htk_runtime.consumer import member_event
from htk_runtime.versions import store_if_newer

MEMBERS = "member_copies"


class MemberCopies:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.members = db[MEMBERS]

    async def ensure_indexes(self) -> None:
        await self.members.create_index([("email", ASCENDING)])

    async def apply(self, envelope: Envelope[dict[str, Any]]) -> bool:
        """Apply a member event; True when it erased the member (their sessions must end)."""
        fields = member_event(envelope)
        stored = await store_if_newer(
            self.members, envelope.subject, envelope.aggregateversion, fields
        )
        return stored and bool(fields["erased"])

    async def by_email(self, email: str) -> dict[str, Any] | None:
        return await self.members.find_one({"email": email.strip().lower(), "erased": False})

    async def get(self, member_id: str) -> dict[str, Any] | None:
        return await self.members.find_one({"_id": member_id, "erased": False})

    async def arrived(self, member_id: str, within: float, every: float = 0.1) -> bool:
        """Wait up to ``within`` seconds for a member's copy. Someone who joins and follows
        their mailed link at once can be quicker than ``catalogue.members.v1``; without the
        wait their first sign-in would land on the sign-in page."""
        deadline = time.monotonic() + within
        while await self.get(member_id) is None:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(every)
        return True

    async def of_organisation(self, organisation_id: str) -> list[dict[str, Any]]:
        """Approved members of an organisation, by name: who can be an action's contact."""
        found = await self.members.find(
            {f"organisations.{organisation_id}": {"$exists": True}, "erased": False},
            {"name": 1},
        ).to_list()
        return sorted(found, key=lambda m: (m.get("name") or "").lower())

    async def coordinators(self) -> list[str]:
        found = self.members.find({"coordinator": True, "erased": False}, {"_id": 1})
        return sorted([doc["_id"] async for doc in found])

    async def admins_of(self, organisation_id: str) -> list[str]:
        found = self.members.find(
            {f"organisations.{organisation_id}": "admin", "erased": False}, {"_id": 1}
        )
        return sorted([doc["_id"] async for doc in found])

    @staticmethod
    def claims(member: dict[str, Any]) -> User:
        return User(
            member_id=member["_id"],
            language=member.get("language", "fi"),
            coordinator=member.get("coordinator", False),
            organisations=member.get("organisations", {}),
            expires_at=time.time(),
        )
