"""Idempotency keys and sent events are deleted by the database after their retention."""

from typing import Any


async def test_idempotency_keys_and_sent_events_have_ttl_indexes(service: Any) -> None:
    svc, _ = service
    db = svc.ctx().db
    for name, field, seconds in (
        ("idempotency_keys", "at", 86_400),
        ("outbox", "sent_at", 7 * 86_400),
    ):
        ttl = {
            tuple(i["key"]): i.get("expireAfterSeconds")
            async for i in await db[name].list_indexes()
        }
        assert ttl.get((field,)) == seconds, (name, ttl)
