"""Joining and signing in by email link, sessions, CSRF and rate limits."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from htk_contracts.catalogue import Member, MemberErased, Membership
from htk_contracts.envelope import Envelope
from htk_gateway.main import create_service
from htk_runtime.mail import read_sink
from htk_testing.runtime import received, running


def event(subject: str, version: int, data: Any) -> Envelope[dict[str, Any]]:
    return received("/catalogue", "fi.htk.member.changed.v1", subject, version, data)


MAIJA = Member(
    member_id="m-maija",
    name="Maija Meikäläinen",
    email="Maija.Meikalainen@Example.org",
    language="sv",
    memberships=[
        Membership(organisation_id="o1", role="admin", status="approved"),
        Membership(organisation_id="o2", role="member", status="pending"),
    ],
)


def link_in(mail_dir: Path, index: int = -1) -> str:
    text = read_sink(mail_dir)[index].get_content()
    return re.search(r"http://\S+/auth/link/(\S+)", text).group(1)


async def sign_in(client: Any, secret: str) -> Any:
    page = await client.get(f"/auth/link/{secret}")
    assert page.status_code == 200
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    return await client.post(f"/auth/link/{secret}", data={"csrf": token})


async def test_a_link_signs_in_once_and_the_session_carries_the_roles(gateway_env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        await service.ctx().state["members"].apply(event("m-maija", 1, MAIJA))

        asked = await client.post(
            "/api/v1/auth/login-link", json={"email": "maija.meikalainen@example.org"}
        )
        unknown = await client.post("/api/v1/auth/login-link", json={"email": "nobody@example.org"})
        assert asked.status_code == unknown.status_code == 202
        await service.ctx().state["link_mail"].drained()  # links are mailed off the request path
        assert asked.json() == unknown.json(), "the answer never tells who is registered"
        mails = read_sink(gateway_env)
        assert len(mails) == 1 and mails[0]["To"] == "maija.meikalainen@example.org"
        assert mails[0]["Subject"].startswith("Inloggningslänk"), "in the member's language"

        secret = link_in(gateway_env)
        signed_in = await sign_in(client, secret)
        assert signed_in.status_code == 303
        cookie = signed_in.headers["set-cookie"]
        assert "htk_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie

        # The roles that go into the signed user: approved memberships only.
        me = (await client.get("/api/v1/me")).json()
        assert me["member_id"] == "m-maija" and me["organisations"] == {"o1": "admin"}
        assert me["pending_organisations"] == ["o2"]

        again = await sign_in(client, secret)
        assert again.status_code == 410, "a link works once"


async def test_an_expired_or_forged_link_and_a_missing_csrf_token_are_refused(
    gateway_env: Path,
) -> None:
    service = create_service()
    async with running(service.app()) as client:
        await service.ctx().state["members"].apply(event("m-maija", 1, MAIJA))
        await client.post(
            "/api/v1/auth/login-link", json={"email": "maija.meikalainen@example.org"}
        )
        await service.ctx().state["link_mail"].drained()
        secret = link_in(gateway_env)
        await (
            service.ctx()
            .db["login_links"]
            .update_many({}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(minutes=1)}})
        )
        assert (await sign_in(client, secret)).status_code == 410
        assert (await sign_in(client, "made-up-link")).status_code == 410

        await client.post(
            "/api/v1/auth/login-link", json={"email": "maija.meikalainen@example.org"}
        )
        await service.ctx().state["link_mail"].drained()
        fresh = link_in(gateway_env)
        await client.get(f"/auth/link/{fresh}")
        forged = await client.post(f"/auth/link/{fresh}", data={"csrf": "0" * 64})
        assert forged.status_code == 403 and forged.json()["errors"][0]["field"] == "csrf"
        missing = await client.post(f"/auth/link/{fresh}", data={})
        assert missing.status_code == 403
        assert (await sign_in(client, fresh)).status_code == 303, (
            "the link was not used up by refusals"
        )


async def test_link_requests_are_rate_limited_per_email(
    gateway_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTK_LINK_REQUESTS_PER_EMAIL", "2")
    service = create_service()
    async with running(service.app()) as client:
        answers = [
            await client.post("/api/v1/auth/login-link", json={"email": "someone@example.org"})
            for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [202, 202, 429]
        assert int(answers[-1].headers["Retry-After"]) > 0
        other = await client.post("/api/v1/auth/login-link", json={"email": "other@example.org"})
        assert other.status_code == 202
        bad = await client.post("/api/v1/auth/login-link", json={"email": "not an address"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"


async def test_logout_everywhere_ends_every_session(gateway_env: Path) -> None:
    from htk_gateway.auth.csrf import token_for

    service = create_service()
    async with running(service.app()) as client:
        await service.ctx().state["members"].apply(event("m-maija", 1, MAIJA))
        sessions = service.ctx().state["sessions"]
        phone, laptop = await sessions.start("m-maija"), await sessions.start("m-maija")
        client.cookies.set("htk_session", laptop)
        assert (await client.get("/api/v1/me")).status_code == 200
        no_token = await client.post("/auth/logout", data={"everywhere": "true"})
        assert no_token.status_code == 403
        out = await client.post(
            "/auth/logout",
            data={"everywhere": "true", "csrf": token_for("test-gateway-secret", laptop)},
        )
        assert out.status_code == 303
        assert await sessions.member_of(phone) is None and await sessions.member_of(laptop) is None
        assert (await client.get("/api/v1/me")).status_code == 401


async def test_an_erased_member_is_forgotten(gateway_env: Path) -> None:
    service = create_service()
    async with running(service.app()):
        members = service.ctx().state["members"]
        await members.apply(event("m-maija", 1, MAIJA))
        erased = MemberErased(member_id="m-maija", erased_at=datetime.now(UTC))
        assert await members.apply(event("m-maija", 2, erased)), "the caller ends the sessions"
        assert not await members.apply(event("m-maija", 1, MAIJA)), (
            "a replay does not bring it back"
        )
        assert await members.by_email("maija.meikalainen@example.org") is None
        stored = await service.ctx().db["member_copies"].find_one({"_id": "m-maija"})
        assert stored["email"] is None and stored["name"] is None


async def test_api_writes_with_a_session_need_the_csrf_header(gateway_env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        await service.ctx().state["members"].apply(event("m-maija", 1, MAIJA))
        secret = await service.ctx().state["sessions"].start("m-maija")
        client.cookies.set("htk_session", secret)
        refused = await client.post("/api/v1/actions", json={})
        assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "csrf"
        from htk_gateway.auth.csrf import token_for

        allowed = await client.post(
            "/api/v1/actions",
            json={},
            headers={"X-CSRF-Token": token_for("test-gateway-secret", secret)},
        )
        assert allowed.status_code == 503, "passed the gateway; submissions is not running here"


async def test_a_link_followed_before_the_member_copy_arrives_still_signs_in(
    gateway_env: Path,
) -> None:
    """Joining and following the link at once can beat catalogue.members.v1 to the gateway:
    the sign-in waits for the copy instead of landing on the sign-in page."""
    import asyncio

    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        secret = await state["login_links"].issue("m-maija")

        async def copy_arrives_later() -> None:
            await asyncio.sleep(0.5)
            await state["members"].apply(event("m-maija", 1, MAIJA))

        later = asyncio.create_task(copy_arrives_later())
        signed_in = await sign_in(client, secret)
        await later
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/welcome"
        welcome = await client.get("/welcome")
        assert welcome.status_code == 200 and "Välkommen" in welcome.text
        assert (await client.get("/api/v1/me")).json()["member_id"] == "m-maija"


async def test_a_session_whose_member_copy_is_late_is_told_to_wait_not_to_sign_in(
    gateway_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from htk_gateway.auth import login as auth

    monkeypatch.setattr(auth, "MEMBER_COPY_WAIT_SECONDS", 0.2)
    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        signed_in = await sign_in(client, await state["login_links"].issue("m-late"))
        assert signed_in.status_code == 303
        page = await client.get("/welcome?lang=en", follow_redirects=False)
        assert page.status_code == 200 and "still being set up" in page.text
        assert 'http-equiv="refresh"' in page.text
