"""What the gateway keeps only for a while has a TTL index, and the database honours it."""

from datetime import UTC, datetime, timedelta

from htk_gateway.main import create_service
from htk_testing.runtime import running

EXPECTED = {  # collection: (field, seconds after the date in it), as deploy/README.md says
    "rate_limits": ("expires_at", 0),
    "sessions": ("expires_at", 0),
    "login_links": ("expires_at", 86_400),
    "follow_changes": ("at", 90 * 86_400),
    # An API token's forget_at is 90 days after it expired or was revoked (api_tokens/store.py).
    "api_tokens": ("forget_at", 0),
    "outbox": ("sent_at", 7 * 86_400),
}


async def test_ttl_indexes_exist_and_expired_documents_go(gateway_env: None) -> None:
    service = create_service()
    async with running(service.app()) as client:
        db = service.ctx().db
        # The gateway has no outbox of its own: the shared index function makes it here.
        from htk_runtime.outbox import ensure_outbox_indexes

        await ensure_outbox_indexes(db)
        # A counter is made by the first limited request and carries the end of its window.
        await client.post("/api/v1/auth/login-link", json={"email": "nobody@example.org"})
        counter = await db["rate_limits"].find_one({})
        assert counter is not None and isinstance(counter["expires_at"], datetime)
        assert counter["expires_at"] > datetime.now(UTC)

        for name, (field, seconds) in EXPECTED.items():
            ttl = {
                tuple(i["key"]): i.get("expireAfterSeconds")
                async for i in await db[name].list_indexes()
            }
            assert ttl.get((field,)) == seconds, (name, ttl)

        now = datetime.now(UTC)
        await db["sessions"].insert_many(
            [
                {"_id": "old", "member_id": "m", "expires_at": now - timedelta(minutes=1)},
                {"_id": "live", "member_id": "m", "expires_at": now + timedelta(hours=1)},
            ]
        )
        await db["outbox"].insert_many(
            [
                {"_id": "sent", "sent_at": now - timedelta(days=8)},
                {"_id": "unsent", "sent_at": None},
            ]
        )
        # SecantusDB sweeps every 60 s like MongoDB's TTL monitor; this runs a sweep now.
        await db.client.admin.command("secantusAdmin.pruneTtl")
        assert [d["_id"] async for d in db["sessions"].find({"member_id": "m"})] == ["live"]
        assert [d["_id"] async for d in db["outbox"].find({})] == ["unsent"]
