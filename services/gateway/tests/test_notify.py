"""Every mail the platform sends from the gateway, in Finnish, Swedish and English: the sign-in
link, each kind of notification, the notification digest and the follow digest. Each
notification mail carries an unsubscribe link that works through the gateway with one click
(and changes the member's choice); a redelivered event never mails twice; choices made on the
account page decide between now, the digest and never."""

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from htk_contracts.catalogue import Member, Membership
from htk_contracts.envelope import new_envelope
from htk_gateway.auth.csrf import token_for
from htk_gateway.main import create_service
from htk_gateway.notify.delivery import Notifier
from htk_gateway.notify.kinds import (
    KINDS,
    MEMBERSHIP_DECIDED,
    MEMBERSHIP_REQUESTED,
    ORGANISATION_PROPOSED,
    REQUESTS_TOPIC,
    Notice,
    kind_names,
)
from htk_gateway.web.formats import HELSINKI
from htk_runtime.mail import read_sink
from htk_testing.runtime import BrokerTier, eventually, received, running

SECRET = "test-gateway-secret"
HTML = {"accept": "text/html"}
LANGS = ("fi", "sv", "en")
# What each kind's mail must say, in each language (its subject starts so).
SUBJECTS = {
    "action_submitted": ("Tarkastettavana", "Att granska", "To review"),
    "action_returned": ("Palautettu", "Returnerad", "Returned"),
    "action_published": ("Julkaistu", "Publicerad", "Published"),
    "organisation_proposed": (
        "Organisaatioehdotus",
        "Förslag till organisation",
        "Organisation proposed",
    ),
    "organisation_decided": (
        "Organisaatioehdotusta ei hyväksytty",
        "Förslaget till organisation avslogs",
        "Organisation proposal refused",
    ),
    "membership_requested": ("Jäsenyyspyyntö", "Medlemskapsbegäran", "Membership request"),
    "membership_decided": ("Jäsenyys hyväksytty", "Medlemskap godkänt", "Membership approved"),
    "partnership_requested": (
        "Kumppanuuspyyntö",
        "Begäran om partnerskap",
        "Partnership request",
    ),
    "partnership_decided": (
        "Kumppanuus hyväksyttiin",
        "Partnerskapet godkändes",
        "Partnership approved",
    ),
    "discussion_message": ("Uusi viesti", "Nytt meddelande", "New message"),
    "discussion_reported": ("Ilmoitus viestistä", "Anmälan av meddelande", "Message reported"),
}
# A decision's own messages, as the catalogue's events name them.
MESSAGES = {
    "organisation_decided": "organisation_decided_rejected",
    "membership_decided": "membership_decided_approved",
    "partnership_decided": "partnership_decided_approved",
}
# Every decision the catalogue's events carry (htk_contracts.catalogue_requests).
VARIANTS = [
    *(f"organisation_decided_{d}" for d in ("approved", "rejected", "expired")),
    *(f"membership_decided_{d}" for d in ("approved", "rejected", "removed", "role_changed")),
    *(f"partnership_decided_{d}" for d in ("approved", "rejected")),
]
DETAILS = {
    "title": "Kylätoimintaa ikäihmisille",
    "comment": "Lisää kunta, kiitos.",
    "organisation": {"fi": "Kyläyhdistys ry", "sv": "Byföreningen rf", "en": "Village Club"},
    "organisation_id": "o1",
    "name": "Ville V",
    "path": "/my/actions/a1",
    "reason": "",
}


def details(kind: str) -> dict[str, Any]:
    found = {**DETAILS, "message": MESSAGES.get(kind, "")}
    if kind == "organisation_decided":
        found["reason"] = "Ei y-tunnusta."
    return found


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
    return _gateway_env(monkeypatch, tmp_path)


@pytest.fixture
def tier_env(
    tier_service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """``env`` on either broker tier (``broker_tier``)."""
    return _gateway_env(monkeypatch, tmp_path)


def _gateway_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
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
        await state["link_mail"].drained()  # links are mailed off the request path
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
                await notifier.deliver(kind, notice(kind, n), f"m-{lang}", details(kind))
                await notifier.deliver(kind, notice(kind, n), f"m-{lang}", details(kind))
                mails = read_sink(env)[before:]
                assert len(mails) == 1, f"{kind} {lang}: one mail, even when redelivered"
                mail = mails[0]
                assert mail["To"] == f"m-{lang}@example.org"
                assert mail["Subject"].startswith(SUBJECTS[kind][i]), (kind, lang)
                text = mail.get_content()
                assert "{" not in text and "notify." not in text, text
                assert f"Jäsen {lang}" in text and "http://htk.test/my/actions/a1" in text
                if kind.startswith(("membership", "organisation")):
                    assert DETAILS["organisation"][lang] in text, "the name in their language"
                if kind == "organisation_decided":
                    assert "Ei y-tunnusta." in text, "the reason given"
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


async def test_requests_and_decisions_from_the_catalogue_reach_whom_they_name(
    broker_tier: BrokerTier, tier_env: Path
) -> None:
    """Events on catalogue.requests.v1, read from the broker: a membership request reaches the
    organisation's admins, a proposal the coordinators, a decision the person, each in their
    language with the organisation's name in it. In memory and on tansu."""
    env = tier_env
    service = create_service()
    tag = uuid.uuid4().hex[:8]
    asker, admin, coordinator = f"ask-{tag}", f"adm-{tag}", f"crd-{tag}"
    async with broker_tier.around_service(service.broker) as producer, running(service.app()):
        ctx = service.ctx()
        await asyncio.wait_for(ctx.broker_connected.wait(), 30)
        members = ctx.state["members"]
        for member_id, lang, is_coordinator in (
            (asker, "en", False),
            (admin, "sv", False),
            (coordinator, "fi", True),
        ):
            data = Member(
                member_id=member_id,
                name=f"Name {member_id}",
                email=f"{member_id}@example.org",
                language=lang,
                coordinator=is_coordinator,
            )
            await members.apply(
                received("/catalogue", "fi.htk.member.changed.v1", member_id, 1, data)
            )
        org = {
            "organisation_id": f"o-{tag}",
            "name_fi": f"Kyläyhdistys {tag}",
            "name_sv": f"Byförening {tag}",
        }
        now = datetime.now(UTC).isoformat()
        events = [
            (
                MEMBERSHIP_REQUESTED,
                asker,
                {
                    **org,
                    "kind": "membership_requested",
                    "member_id": asker,
                    "language": "en",
                    "role": "member",
                    "deciders": [admin],
                    "coordinators_decide": False,
                    "requested_at": now,
                },
            ),
            (
                MEMBERSHIP_DECIDED,
                asker,
                {
                    **org,
                    "kind": "membership_decided",
                    "member_id": asker,
                    "language": "en",
                    "decision": "approved",
                    "role": "member",
                    "decided_by": admin,
                    "decided_at": now,
                },
            ),
            (
                ORGANISATION_PROPOSED,
                org["organisation_id"],
                {
                    **org,
                    "kind": "organisation_proposed",
                    "member_id": asker,
                    "language": "en",
                    "deciders": [],
                    "proposed_at": now,
                },
            ),
        ]
        for type_, subject, data in events:
            envelope = new_envelope(
                source="/catalogue", type=type_, subject=subject, aggregateversion=1, data=data
            )
            await producer.publish(
                envelope.model_dump_json().encode(), REQUESTS_TOPIC, key=subject.encode()
            )

        def mail_to(member_id: str, subject: str) -> Any:
            found = [
                m
                for m in read_sink(env)
                if m["To"] == f"{member_id}@example.org" and m["Subject"].startswith(subject)
            ]
            return found or None

        request = await eventually(lambda: _now(mail_to(admin, "Medlemskapsbegäran")), timeout=60)
        assert f"Byförening {tag}" in request[0]["Subject"]
        assert f"Name {asker}" in request[0].get_content(), "the asker, named from the copy"
        decided = await eventually(lambda: _now(mail_to(asker, "Membership approved")), timeout=60)
        assert f"Kyläyhdistys {tag}" in decided[0]["Subject"]
        proposed = await eventually(
            lambda: _now(mail_to(coordinator, "Organisaatioehdotus")), timeout=60
        )
        assert f"Name {asker}" in proposed[0].get_content()
        assert mail_to(asker, "Membership request") is None, "only the deciders are asked"


async def _now(value: Any) -> Any:
    return value


@pytest.mark.parametrize("lang", LANGS)
def test_a_digest_of_every_kind_has_every_line(lang: str) -> None:
    notifier = Notifier(None, None, None, None, "http://htk.test", SECRET)  # type: ignore[arg-type]
    items = [{"kind": kind, "values": details(kind)} for kind in kind_names()]
    items += [
        {"kind": v.split("_decided")[0] + "_decided", "values": {**DETAILS, "message": v}}
        for v in VARIANTS
    ]
    mail = notifier.digest_mail({"_id": "m1", "name": "N", "email": "n@x", "language": lang}, items)
    assert "notify." not in mail.text and "{" not in mail.text, mail.text
    assert mail.text.count("http://htk.test/my/actions/a1") == len(items)
    assert mail.text.count(DETAILS["comment"]) == len(items)
    for variant in VARIANTS:
        single = notifier.mail(
            variant.split("_decided")[0] + "_decided",
            {"_id": "m1", "name": "N", "email": "n@x", "language": lang},
            {**DETAILS, "message": variant},
        )
        assert "notify." not in single.subject + single.text, variant


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
