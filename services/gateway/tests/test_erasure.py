"""Erasure reaches the gateway's every copy: an erased member's events (read from the broker)
end their sessions and remove their follows, notification choices, notifications (also those
that named them to others) and the rate-limit counters of their address; nothing in the
gateway's database holds the address afterwards. Until the catalogue confirms the erasure,
nothing is lost. The account page's data download lists what the gateway holds."""

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from htk_contracts.catalogue import MEMBER_CHANGED, MEMBER_ERASED, Member, MemberErased, Membership
from htk_contracts.envelope import new_envelope
from htk_contracts.topics import Topic
from htk_gateway.auth.csrf import token_for
from htk_gateway.follows.store import Kind
from htk_gateway.main import create_service
from htk_gateway.notify.delivery import Notifier
from htk_gateway.notify.kinds import MEMBERSHIP_REQUESTED, REQUESTS_TOPIC, Notice
from htk_testing.runtime import eventually, received, running

SECRET = "test-gateway-secret"
HTML = {"accept": "text/html"}


@pytest.fixture
def env(
    service_env: dict[str, str],
    token_keys: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Path:
    monkeypatch.setenv("HTK_GATEWAY_SECRET", SECRET)
    monkeypatch.setenv("HTK_TOKEN_PRIVATE_KEY", token_keys[0])
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("HTK_NOTIFY_INTERVAL_SECONDS", "3600")
    for name in ("CATALOGUE", "SUBMISSIONS", "SEARCH", "REPORTING"):
        monkeypatch.setenv(f"HTK_{name}_URL", "http://127.0.0.1:1")
    return tmp_path / "mail"


async def publish(ctx: Any, type_: str, member_id: str, version: int, data: Any) -> None:
    envelope = received("/catalogue", type_, member_id, version, data)
    await ctx.broker.publish(
        envelope.model_dump_json().encode(), Topic.CATALOGUE_MEMBERS, key=member_id.encode()
    )


async def test_erasure_reaches_every_gateway_copy(env: Path) -> None:
    service = create_service()
    member_id = f"m-{uuid.uuid4().hex[:10]}"
    email = f"{member_id}@example.org"
    async with running(service.app()) as client:
        ctx = service.ctx()
        await asyncio.wait_for(ctx.broker_connected.wait(), 30)
        state = ctx.state
        notifier: Notifier = state["notifier"]
        asker = Member(
            member_id=member_id,
            name="Erkki Esimerkki",
            email=email,
            language="fi",
            memberships=[Membership(organisation_id="o1", role="admin", status="approved")],
        )
        await publish(ctx, MEMBER_CHANGED, member_id, 1, asker)
        await eventually(lambda: state["members"].get(member_id), timeout=60)
        # They ask to join another organisation: its admin is told, by name.
        decider = f"adm-{uuid.uuid4().hex[:10]}"
        admin = Member(
            member_id=decider, name="Anna Admin", email=f"{decider}@example.org", language="sv"
        )
        await state["members"].apply(received("/catalogue", MEMBER_CHANGED, decider, 1, admin))
        request = {
            "kind": "membership_requested",
            "organisation_id": "o2",
            "name_fi": "Toinen ry",
            "member_id": member_id,
            "language": "fi",
            "role": "member",
            "deciders": [decider],
            "coordinators_decide": False,
            "requested_at": datetime.now(UTC).isoformat(),
        }
        envelope = new_envelope(
            source="/catalogue",
            type=MEMBERSHIP_REQUESTED,
            subject=member_id,
            aggregateversion=1,
            data=request,
        )
        await ctx.broker.publish(
            envelope.model_dump_json().encode(), REQUESTS_TOPIC, key=member_id.encode()
        )

        async def told() -> Any:
            return await notifier.store.sent.find_one({"member_id": decider, "about": member_id})

        record = await eventually(told, timeout=60)
        assert record["values"]["name"] == "Erkki Esimerkki"

        session = await state["sessions"].start(member_id)
        client.cookies.set("htk_session", session)
        csrf = token_for(SECRET, session)
        await state["follows"].follow(member_id, Kind.REGION, "564")
        await notifier.store.choose(member_id, {"action_returned": "digest"})
        await client.post("/api/v1/auth/login-link", json={"email": email})
        details = {"title": "T", "comment": "", "path": "/"}
        notice = Notice("e1", "fi.htk.action.returned.v1", "a1", 2, datetime.now(UTC), {})
        await notifier.deliver("action_returned", notice, member_id, details)

        data = (await client.get("/my/account/data.json")).json()
        assert data["member_id"] == member_id
        assert data["catalogue"] is None, "the catalogue is away here"
        assert data["gateway"]["follows"][0]["target"] == "564"
        assert data["gateway"]["preferences"] == {"action_returned": "digest"}
        assert [n["kind"] for n in data["gateway"]["notifications"]] == ["action_returned"]
        page = await client.get("/my/account/data", headers=HTML)
        assert page.status_code == 200 and "564" in page.text

        explained = await client.get("/my/account/erase?lang=en", headers=HTML)
        assert "actions stay under the organisation" in explained.text
        unconfirmed = await client.post("/my/account/erase", data={"csrf": csrf}, headers=HTML)
        assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
        refused = await client.post(
            "/my/account/erase", data={"csrf": csrf, "confirm": "true"}, headers=HTML
        )
        assert refused.status_code == 503, "the catalogue did not erase: nothing is lost here"
        assert await state["follows"].of(member_id) != []

        erased = MemberErased(member_id=member_id, erased_at=datetime.now(UTC))
        await publish(ctx, MEMBER_ERASED, member_id, 3, erased)

        async def forgotten() -> bool:
            # The handler's last step: forgetting the notifications.
            return (
                await state["members"].get(member_id) is None
                and await notifier.store.sent.count_documents({}) == 0
                and await notifier.store.jobs.count_documents({"about": member_id}) == 0
            )

        await eventually(forgotten, timeout=60)
        assert await state["sessions"].member_of(session) is None
        assert await state["follows"].of(member_id) == []
        assert await notifier.store.choices(member_id) == {}
        assert await notifier.store.sent.count_documents({}) == 0
        assert await notifier.store.jobs.count_documents({"about": member_id}) == 0
        leftovers = []
        for name in await ctx.db.list_collection_names():
            async for doc in ctx.db[name].find({}):
                text = repr(doc)
                if email in text or "Erkki" in text:
                    leftovers.append((name, text[:200]))
        assert leftovers == []
        signed_out = await client.get("/my/account", headers=HTML)
        assert signed_out.status_code in (303, 401), "the session ended"
        assert "Erkki" not in signed_out.text
