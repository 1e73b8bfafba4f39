"""Sign-in against login CSRF and against telling strangers who is a member (gateway alone)."""

import asyncio
import re
from pathlib import Path
from typing import Any

from htk_contracts.catalogue import Member, Membership
from htk_gateway.main import create_service
from htk_runtime.mail import Mail, read_sink
from htk_testing.runtime import received, running

MAIJA = Member(
    member_id="m-maija",
    name="Maija Meikäläinen",
    email="maija.meikalainen@example.org",
    language="fi",
    memberships=[Membership(organisation_id="o1", role="member", status="approved")],
)


def event(subject: str, version: int, data: Any) -> Any:
    return received("/catalogue", "fi.htk.member.changed.v1", subject, version, data)


class SlowRelay:
    """An SMTP relay that takes its time, as real ones do: it sends nothing until released."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self.release = asyncio.Event()

    async def send(self, mail: Mail) -> None:
        await self.release.wait()
        self.sent.append(mail)


async def test_the_answer_does_not_wait_for_the_mail(gateway_env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        await service.ctx().state["members"].apply(event("m-maija", 1, MAIJA))
        relay = SlowRelay()
        service.ctx().state["link_mail"].mailer = relay
        answers: dict[str, Any] = {}
        for email in ("maija.meikalainen@example.org", "nobody@example.org"):
            # Answered while the relay still holds the mail: the answer never waits for it
            # (a deadlock-proof bound, not a timing: the relay is only released afterwards).
            answer = await asyncio.wait_for(
                client.post("/api/v1/auth/login-link", json={"email": email}), timeout=60
            )
            answers[email] = (answer.status_code, answer.json())
        member, stranger = answers.values()
        assert member == stranger, "the same words for a member and a stranger"
        assert relay.sent == [], "answered before the relay sent anything"
        relay.release.set()
        await service.ctx().state["link_mail"].drained()
        assert [m.to for m in relay.sent] == ["maija.meikalainen@example.org"]


async def test_a_link_confirmed_from_another_site_signs_nobody_in(gateway_env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        await service.ctx().state["members"].apply(event("m-maija", 1, MAIJA))
        await client.post(
            "/api/v1/auth/login-link", json={"email": "maija.meikalainen@example.org"}
        )
        await service.ctx().state["link_mail"].drained()
        text = read_sink(gateway_env)[-1].get_content()
        secret = re.search(r"/auth/link/(\S+)", text).group(1)  # type: ignore[union-attr]

        # The attacker's own link, posted by the victim's browser from the attacker's page: the
        # browser sends no cookie of this site (SameSite) and, today, says where it comes from.
        client.cookies.clear()
        cookieless = await client.post(f"/auth/link/{secret}", data={"csrf": ""})
        assert cookieless.status_code == 403 and "htk_session" not in client.cookies
        page = await client.get(f"/auth/link/{secret}")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
        for headers in (
            {"Origin": "https://attacker.example"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Origin": "null"},
        ):
            crossed = await client.post(
                f"/auth/link/{secret}", data={"csrf": token}, headers=headers
            )
            assert crossed.status_code == 403, headers
            assert "another site" in crossed.json()["message"]
        same = await client.post(
            f"/auth/link/{secret}",
            data={"csrf": token},
            headers={"Origin": "http://test", "Sec-Fetch-Site": "same-origin"},
        )
        assert same.status_code == 303, "the link was not used up by the refusals"
