"""Every mail the platform sends from the gateway, in Finnish, Swedish and English: the sign-in
link, each kind of notification, the notification digest and the follow digest. Each
notification mail carries an unsubscribe link that works through the gateway with one click
(and changes the member's choice); a redelivered event never mails twice; choices made on the
account page decide between now, the digest and never."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from htk_contracts.catalogue import Member, Membership
from htk_gateway.csrf import token_for
from htk_gateway.formats import HELSINKI
from htk_gateway.main import create_service
from htk_gateway.notify.delivery import Notifier
from htk_gateway.notify.kinds import KINDS, Notice, kind_names
from htk_runtime.mail import read_sink
from htk_runtime.testing import received, running

SECRET = "test-gateway-secret"
HTML = {"accept": "text/html"}
LANGS = ("fi", "sv", "en")
# What each kind's mail must say, in each language (its subject starts so).
SUBJECTS = {
    "action_submitted": ("Tarkastettavana", "Att granska", "To review"),
    "action_returned": ("Palautettu", "Returnerad", "Returned"),
    "action_published": ("Julkaistu", "Publicerad", "Published"),
    "membership_requested": ("Jäsenyyspyyntö", "Medlemskapsbegäran", "Membership request"),
    "membership_approved": ("Jäsenyys hyväksytty", "Medlemskap godkänt", "Membership approved"),
    "membership_rejected": (
        "Jäsenyyspyyntöä ei",
        "Medlemskapsbegäran avslogs",
        "Membership request refused",
    ),
}
DETAILS = {
    "title": "Kylätoimintaa ikäihmisille",
    "comment": "Lisää kunta, kiitos.",
    "organisation": {"fi": "Kyläyhdistys ry", "sv": "Byföreningen rf", "en": "Village Club"},
    "organisation_id": "o1",
    "name": "Ville V",
    "path": "/my/actions/a1",
}


def member(member_id: str, lang: str, version: int = 1) -> Any:
    data = Member(
        member_id=member_id,
        name=f"Jäsen {lang}",
        email=f"{member_id}@example.org",
        language=lang,
        coordinator=True,
        memberships=[Membership(organisation_id="o1", role="admin", status="approved")],
    )
    return received("/catalogue", "fi.htk.member.changed.v1", member_id, version, data)


@pytest.fixture
def env(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HTK_GATEWAY_SECRET", SECRET)
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("HTK_PUBLIC_URL", "http://htk.test")
    monkeypatch.setenv("HTK_NOTIFY_INTERVAL_SECONDS", "3600")
    for name in ("CATALOGUE", "SUBMISSIONS", "SEARCH", "REPORTING"):
        monkeypatch.setenv(f"HTK_{name}_URL", "http://127.0.0.1:1")
    return tmp_path / "mail"


def notice(kind: str, n: int) -> Notice:
    event_type = next(t for t, k in KINDS.items() if k.name == kind)
    return Notice(f"e{n}", event_type, "a1", 3, datetime.now(UTC), {})


async def test_every_mail_in_three_languages_with_a_working_unsubscribe_link(env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        notifier: Notifier = state["notifier"]
        for lang in LANGS:
            await state["members"].apply(member(f"m-{lang}", lang))

        # Sign-in links.
        for lang in LANGS:
            answer = await client.post(
                "/api/v1/auth/login-link", json={"email": f"m-{lang}@example.org"}
            )
            assert answer.status_code == 202
        signin = read_sink(env)
        assert [m["Subject"].split(":")[0] for m in signin] == [
            "Kirjautumislinkki",
            "Inloggningslänk",
            "Sign-in link",
        ]
        assert all("/auth/link/" in m.get_content() for m in signin)

        # Each kind, immediately, in each language.
        n = 0
        for kind in kind_names():
            for i, lang in enumerate(LANGS):
                n += 1
                before = len(read_sink(env))
                await notifier.deliver(kind, notice(kind, n), f"m-{lang}", DETAILS)
                await notifier.deliver(kind, notice(kind, n), f"m-{lang}", DETAILS)
                mails = read_sink(env)[before:]
                assert len(mails) == 1, f"{kind} {lang}: one mail, even when redelivered"
                mail = mails[0]
                assert mail["To"] == f"m-{lang}@example.org"
                assert mail["Subject"].startswith(SUBJECTS[kind][i]), (kind, lang)
                text = mail.get_content()
                assert "{" not in text and "notify." not in text, text
                assert f"Jäsen {lang}" in text and "http://htk.test/my/actions/a1" in text
                if kind.startswith("membership"):
                    assert DETAILS["organisation"][lang] in text, "the name in their language"
                if kind == "action_returned":
                    assert "Lisää kunta, kiitos." in text, "the coordinator's comment"

        # Their unsubscribe links work with one click, without signing in, and change the choice.
        for kind in kind_names():
            mail = next(
                m
                for m in reversed(read_sink(env))
                if m["To"] == "m-sv@example.org" and m["Subject"].startswith(SUBJECTS[kind][1])
            )
            link = re.search(
                r"http://htk\.test(/notifications/unsubscribe\?\S+)", mail.get_content()
            )
            assert link, kind
            forged = await client.get(link.group(1).replace("sig=", "sig=0"), headers=HTML)
            assert forged.status_code == 403
            landed = await client.get(link.group(1), headers=HTML)
            assert landed.status_code == 200 and "Du får inte längre" in landed.text
            assert (await notifier.choices("m-sv"))[kind] == "never"
        before = len(read_sink(env))
        await notifier.deliver("action_published", notice("action_published", 999), "m-sv", DETAILS)
        assert len(read_sink(env)) == before, "never means never"


async def test_choices_on_the_account_page_and_the_digest(env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        notifier: Notifier = state["notifier"]
        for lang in LANGS:
            await state["members"].apply(member(f"m-{lang}", lang))
        session = await state["sessions"].start("m-fi")
        client.cookies.set("htk_session", session)
        page = await client.get("/my/account?lang=fi", headers=HTML)
        assert page.status_code == 200 and "Päivän koosteessa" in page.text
        choices = {f"kind.{k}": "digest" for k in kind_names()}
        bad = await client.post(
            "/my/account/notifications",
            data={
                **choices,
                "kind.action_returned": "sometimes",
                "csrf": token_for(SECRET, session),
            },
            headers=HTML,
        )
        assert bad.status_code == 422
        assert (await notifier.choices("m-fi"))["action_returned"] == "immediate", "unchanged"
        saved = await client.post(
            "/my/account/notifications",
            data={**choices, "csrf": token_for(SECRET, session)},
            headers=HTML,
        )
        assert saved.status_code == 303
        for lang in ("sv", "en"):
            await notifier.store.choose(f"m-{lang}", dict.fromkeys(kind_names(), "digest"))

        before = len(read_sink(env))
        for n, kind in enumerate(("action_returned", "action_published")):
            for lang in LANGS:
                await notifier.deliver(kind, notice(kind, 100 + n), f"m-{lang}", DETAILS)
        assert len(read_sink(env)) == before, "digest choices wait for the digest"

        now = datetime.now(UTC)
        assert await notifier.send_digests(now) == 0, "they wait for the morning"
        morning = notifier.digest_time(now) + timedelta(days=1, minutes=1)
        assert morning.astimezone(HELSINKI).hour == 7
        assert await notifier.send_digests(morning) == 3
        assert await notifier.send_digests(morning, force=True) == 0, "nothing left to send"
        digests = read_sink(env)[before:]
        subjects = {m["To"]: m["Subject"] for m in digests}
        assert subjects == {
            "m-fi@example.org": "Päivän kooste: Hyvinvointia kaikille 2030",
            "m-sv@example.org": "Dagens sammandrag: Välfärd för alla 2030",
            "m-en@example.org": "Daily digest: Welfare for all 2030",
        }
        texts = {m["To"]: m.get_content() for m in digests}
        assert "Sinulle on 2 uutta ilmoitusta" in texts["m-fi@example.org"]
        assert "Du har 2 nya aviseringar" in texts["m-sv@example.org"]
        assert "You have 2 new notifications" in texts["m-en@example.org"]
        assert "Lisää kunta, kiitos." in texts["m-en@example.org"]

        # One digest more with one item: the singular.
        await notifier.deliver("action_returned", notice("action_returned", 300), "m-en", DETAILS)
        assert await notifier.send_digests(datetime.now(UTC)) == 0, "it waits for the morning"
        assert await notifier.send_digests(force=True) == 1, "a coordinator's send now"
        last = read_sink(env)[-1].get_content()
        assert "You have 1 new notification:" in last

        # The digest's link stops every kind.
        link = re.search(r"http://htk\.test(/notifications/unsubscribe\?\S+)", last).group(1)
        assert "kind=all" in link
        client.cookies.clear()
        landed = await client.get(link, headers=HTML)
        assert landed.status_code == 200 and "no more notifications" in landed.text
        assert set((await notifier.choices("m-en")).values()) == {"never"}


async def test_membership_requests_and_decisions_from_member_events(env: Path) -> None:
    """From the difference of two member events; the organisation's name is read from the
    catalogue, which is away here, so the notification waits for a retry."""
    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        notifier: Notifier = state["notifier"]
        data = Member(
            member_id="m9",
            name="Uusi",
            email="m9@example.org",
            language="fi",
            memberships=[Membership(organisation_id="o1", role="member", status="pending")],
        )
        first = received("/catalogue", "fi.htk.member.changed.v1", "m9", 1, data)
        old = await state["members"].get("m9")
        notices = notifier.member_notices(old, first)
        assert [n.type.rsplit(".", 1)[-1] for n in notices] == ["requested"]
        await state["members"].apply(first)
        assert notifier.member_notices(await state["members"].get("m9"), first) == [], (
            "a redelivered event asks nothing new"
        )
        decided = data.model_copy(
            update={
                "memberships": [Membership(organisation_id="o1", role="member", status="approved")]
            }
        )
        second = received("/catalogue", "fi.htk.member.changed.v1", "m9", 2, decided)
        notices = notifier.member_notices(await state["members"].get("m9"), second)
        assert [n.type.rsplit(".", 1)[-1] for n in notices] == ["approved"]
        await notifier.take(notices[0])
        assert notifier.wake.is_set(), "the worker is woken"
        await notifier.run_pending()
        job = await notifier.store.jobs.find_one({"_id": notices[0].id})
        assert job and not job["done"] and job["attempts"] >= 1, "kept for a retry"
        await notifier.take(notices[0])
        assert not notifier.wake.is_set(), "a redelivered event is not taken twice"
        assert client is not None


async def test_the_api_for_choices(env: Path) -> None:
    service = create_service()
    async with running(service.app()) as client:
        state = service.ctx().state
        await state["members"].apply(member("m-en", "en"))
        session = await state["sessions"].start("m-en")
        client.cookies.set("htk_session", session)
        headers = {"x-csrf-token": token_for(SECRET, session)}
        url = "/api/v1/me/notifications"
        assert (await client.get(url)).json()["kinds"]["action_returned"] == "immediate"
        unchanged = await client.put(url, json={"kinds": {}}, headers=headers)
        assert unchanged.status_code == 200
        changed = await client.put(
            url, json={"kinds": {"action_returned": "digest"}}, headers=headers
        )
        assert changed.json()["kinds"]["action_returned"] == "digest"
        for body in (
            {"kinds": {"nonsense": "digest"}},
            {"kinds": {"action_returned": "sometimes"}},
            {"kinds": {"$where": "never"}},
            {"kinds": []},
            {},
        ):
            refused = await client.put(url, json=body, headers=headers)
            assert refused.status_code == 422, (body, refused.text)
        assert (await client.put(url, json={"kinds": {}})).status_code == 403, "CSRF"
        assert (await client.get("/api/v1/openapi.json")).status_code in (200, 503)


@pytest.mark.parametrize("lang", LANGS)
def test_a_digest_of_every_kind_has_every_line(lang: str) -> None:
    notifier = Notifier(None, None, None, None, "http://htk.test", SECRET)  # type: ignore[arg-type]
    items = [{"kind": kind, "values": DETAILS} for kind in kind_names()]
    mail = notifier.digest_mail({"_id": "m1", "name": "N", "email": "n@x", "language": lang}, items)
    assert "notify." not in mail.text and "{" not in mail.text, mail.text
    assert mail.text.count("http://htk.test/my/actions/a1") == len(kind_names())
    assert mail.text.count(DETAILS["comment"]) == len(kind_names())
