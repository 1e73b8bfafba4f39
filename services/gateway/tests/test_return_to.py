"""A signed-out member following a link to one of their pages (the "edit" link of a reminder
mail) signs in and lands on that page, not on the welcome page; nothing else is ever a target."""

import re
from pathlib import Path

import pytest

from htk_contracts.catalogue import Member, Membership
from htk_gateway.main import create_service
from htk_runtime.mail import read_sink
from htk_testing.runtime import received, running

HTML = {"accept": "text/html"}
AINO = Member(
    member_id="m-aino",
    name="Aino",
    email="aino@example.org",
    language="fi",
    memberships=[Membership(organisation_id="o1", role="member", status="approved")],
)


@pytest.fixture
def gateway_env(
    service_env: dict[str, str],
    token_keys: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Path:
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("HTK_TOKEN_PRIVATE_KEY", token_keys[0])
    monkeypatch.setenv("HTK_GATEWAY_SECRET", "test-gateway-secret")
    return tmp_path / "mail"


async def test_signing_in_leads_back_to_the_page_asked_for(gateway_env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        await (
            service.ctx()
            .state["members"]
            .apply(received("/catalogue", "fi.htk.member.changed.v1", "m-aino", 1, AINO))
        )
        for target, lands in (("/my/actions/a-1/edit", "/my/actions/a-1/edit"), ("/", None)):
            client.cookies.clear()
            if lands:
                asked = await client.get(target, headers=HTML)
                assert asked.status_code == 303 and asked.headers["location"] == "/login"
            await client.post("/api/v1/auth/login-link", json={"email": "aino@example.org"})
            await service.ctx().state["link_mail"].drained()  # mailed off the request path
            text = read_sink(gateway_env)[-1].get_content()
            secret = re.search(r"/auth/link/(\S+)", text).group(1)  # type: ignore[union-attr]
            page = await client.get(f"/auth/link/{secret}")
            token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
            used = await client.post(f"/auth/link/{secret}", data={"csrf": token})
            assert used.status_code == 303
            assert used.headers["location"] == (lands or "/welcome")
        client.cookies.clear()
        client.cookies.set("htk_return", "//evil.example/my/x")
        await client.post("/api/v1/auth/login-link", json={"email": "aino@example.org"})
        await service.ctx().state["link_mail"].drained()  # mailed off the request path
        secret = re.search(r"/auth/link/(\S+)", read_sink(gateway_env)[-1].get_content()).group(1)  # type: ignore[union-attr]
        page = await client.get(f"/auth/link/{secret}")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
        used = await client.post(f"/auth/link/{secret}", data={"csrf": token})
        assert used.headers["location"] == "/welcome", "never anywhere but the member's pages"
