"""Following, the daily digest with a one-click unsubscribe, and the CSRF and rate-limit guards
on page forms."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from htk_contracts.actions import ActionPublished, PublicAction
from htk_contracts.catalogue import Member, Membership
from htk_contracts.envelope import Envelope
from htk_gateway.auth.csrf import token_for
from htk_gateway.follows.digest import send_digests
from htk_gateway.main import create_service
from htk_runtime.mail import read_sink
from htk_testing.runtime import received, running

SECRET = "test-gateway-secret"
HTML = {"accept": "text/html"}


def member_event() -> Envelope[dict[str, Any]]:
    data = Member(
        member_id="m1",
        name="Maija",
        email="maija@example.org",
        language="sv",
        memberships=[Membership(organisation_id="o1", role="member", status="approved")],
    )
    return received("/catalogue", "fi.htk.member.changed.v1", "m1", 1, data)


def published(action_id: str, municipality: str, version: int = 2) -> Envelope[dict[str, Any]]:
    now = datetime.now(UTC)
    action = PublicAction(
        action_id=action_id,
        version=version,
        title=f"Toiminta {action_id}",
        summary="s" * 20,
        language="fi",
        state="ongoing",
        organisation_id="o9",
        plan_version=1,
        measures=["1.1.1"],
        sub_goals=["1.1"],
        priorities=["1"],
        municipalities=[municipality],
        inequality_reduction="r" * 20,
        published_at=now,
        updated_at=now,
        confirmed_at=now,
    )
    return received(
        "/submissions",
        "fi.htk.action.published.v1",
        action_id,
        version,
        ActionPublished(action=action),
    )


@pytest.fixture
def env(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HTK_GATEWAY_SECRET", SECRET)
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("HTK_WRITES_PER_MINUTE", "4")
    monkeypatch.setenv("HTK_PUBLIC_URL", "http://htk.test")
    for name in ("CATALOGUE", "SUBMISSIONS", "SEARCH", "REPORTING"):
        monkeypatch.setenv(f"HTK_{name}_URL", "http://127.0.0.1:1")
    return tmp_path / "mail"


async def test_follow_a_region_get_one_digest_and_unsubscribe_in_one_click(env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        await state["members"].apply(member_event())
        session = await state["sessions"].start("m1")
        client.cookies.set("htk_session", session)
        followed = await client.post(
            "/my/follows",
            data={"csrf": token_for(SECRET, session), "kind": "region", "target": "564"},
            headers=HTML,
        )
        assert followed.status_code == 303
        await state["follows"].follows.update_many(
            {}, {"$set": {"since": datetime.now(UTC) - timedelta(minutes=1)}}
        )
        assert await state["follows"].record(published("a1", "564"))
        assert not await state["follows"].record(published("a1", "564")), "a replay counts once"
        await state["follows"].record(published("a2", "091"))

        assert await send_digests(service.ctx()) == 1
        assert await send_digests(service.ctx()) == 0, "at most one digest per day"
        mails = read_sink(env)
        assert len(mails) == 1 and mails[0]["To"] == "maija@example.org"
        text = mails[0].get_content()
        assert "Toiminta a1" in text and "Toiminta a2" not in text
        assert mails[0]["Subject"].startswith("Ändringar"), "in the member's language"

        link = re.search(r"http://htk\.test(/follows/unsubscribe\?\S+)", text).group(1)
        client.cookies.clear()
        forged = await client.get(link.replace("sig=", "sig=0"), headers=HTML)
        assert forged.status_code == 403
        assert (await client.get(link, headers=HTML)).status_code == 200
        assert await state["follows"].of("m1") == []


async def test_page_forms_need_the_csrf_token_and_writes_are_rate_limited(env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        await state["members"].apply(member_event())
        session = await state["sessions"].start("m1")
        client.cookies.set("htk_session", session)
        form = {"kind": "action", "target": "a1"}
        missing = await client.post("/my/follows", data=form, headers=HTML)
        forged = await client.post("/my/follows", data={**form, "csrf": "0" * 64}, headers=HTML)
        assert missing.status_code == forged.status_code == 403
        assert await state["follows"].of("m1") == []
        token = token_for(SECRET, session)
        answers = [
            await client.post("/my/follows", data={**form, "csrf": token}, headers=HTML)
            for _ in range(5)
        ]
        assert [a.status_code for a in answers] == [303, 303, 303, 303, 429]
        assert int(answers[-1].headers["Retry-After"]) > 0
