"""Reminders for ageing actions: contact first, then admins, then coordinators; one digest each."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from htk_runtime.mail import read_sink
from htk_submissions.main import create_service
from htk_testing.runtime import running


async def publish(client: Any, actors: Any, payload: dict[str, Any], author: dict[str, str]) -> str:
    created = await client.post("/actions", json=payload, headers=author)
    assert created.status_code == 201, created.text
    action_id = created.json()["id"]
    submitted = await client.post(
        f"/actions/{action_id}/submit", headers={**author, "If-Match": created.headers["ETag"]}
    )
    published = await client.post(
        f"/actions/{action_id}/publish",
        headers={**actors.coordinator, "If-Match": submitted.headers["ETag"]},
    )
    assert published.status_code == 200, published.text
    return action_id


async def test_reminders_escalate_and_a_link_confirms(
    submissions_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    actors: Any,
    seed: Any,
    new_action: Any,
) -> None:
    mail_dir = tmp_path / "mail"
    monkeypatch.setenv("HTK_MAIL_DIR", str(mail_dir))
    monkeypatch.setenv("HTK_REMINDER_LINK_SECRET", "test-secret")
    service = create_service()
    async with running(service.app()) as client:
        await seed(service)
        a = await publish(client, actors, new_action(title="Kohtaamispaikka A"), actors.member)
        b = await publish(client, actors, new_action(title="Kohtaamispaikka B"), actors.member)
        c = await publish(
            client,
            actors,
            new_action(organisation_id="o2", contact_member_id=None, title="Liikuntaryhmä C"),
            actors.other,
        )
        await publish(client, actors, new_action(title="Tuore D"), actors.member)
        old = datetime.now(UTC) - timedelta(days=200)
        await (
            service.ctx()
            .db["actions"]
            .update_many({"_id": {"$in": [a, b, c]}}, {"$set": {"confirmed_at": old}})
        )
        reminders = service.ctx().state["reminders"]

        assert await reminders.run() == {"actions": 3, "mails": 2}
        mails = {m["To"]: m for m in read_sink(mail_dir)}
        assert set(mails) == {"m1@example.org", "c1@example.org"}, (
            "contact of A and B; nobody at o2 but coordinators"
        )
        digest = mails["m1@example.org"].get_content()
        assert (
            "Kohtaamispaikka A" in digest
            and "Kohtaamispaikka B" in digest
            and "Tuore D" not in digest
        )
        assert mails["m1@example.org"]["Subject"].startswith("Onko")

        assert await reminders.run() == {"actions": 0, "mails": 0}, "at most once per period"

        later = datetime.now(UTC) + timedelta(days=31)
        assert await reminders.run(now=later) == {"actions": 3, "mails": 2}
        recipients = [m["To"] for m in read_sink(mail_dir)][2:]
        assert sorted(recipients) == ["a1@example.org", "c1@example.org"], (
            "no reaction: the admin next"
        )

        evenlater = later + timedelta(days=31)
        assert await reminders.run(now=evenlater) == {"actions": 3, "mails": 1}
        assert [m["To"] for m in read_sink(mail_dir)][4:] == ["c1@example.org"], (
            "still no reaction: the coordinators, in one digest"
        )
        assert f"/my/actions/{a}/edit" in digest, "the mail also opens the edit form"

        token = re.search(rf"/actions/{a}/confirm\?token=(\S+)", digest).group(1)
        confirmed = await client.post(f"/actions/{a}/confirm-by-link", json={"token": token})
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["already_confirmed"] is False
        reused = await client.post(f"/actions/{a}/confirm-by-link", json={"token": token})
        assert reused.status_code == 200 and reused.json()["already_confirmed"] is True, (
            "a second click is harmless and changes nothing"
        )
        assert reused.json()["version"] == confirmed.json()["version"]
        forged = await client.post(f"/actions/{b}/confirm-by-link", json={"token": token})
        assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "token"
        tampered = token.split(".")[0] + "1." + token.split(".")[1]
        refused = await client.post(f"/actions/{a}/confirm-by-link", json={"token": tampered})
        assert refused.status_code == 422
        for mangled in ("²³⁴.äöå" + token, "12." + "ä" * 40, "1" * 150 + ".x"):
            odd = await client.post(f"/actions/{a}/confirm-by-link", json={"token": mangled})
            assert odd.status_code == 422, mangled

        doc = await service.ctx().db["actions"].find_one({"_id": a})
        assert "reminders" not in doc and doc["confirmed_at"] > old
        public = (await client.get(f"/actions/{a}")).json()
        assert public["confirmed_at"] > old.isoformat()
        assert (
            await service.ctx()
            .db["outbox"]
            .count_documents({"key": a, "event.type": "fi.htk.action.updated.v1"})
            == 1
        )
        member_view = (await client.get(f"/actions/{b}", headers=actors.member)).json()
        assert member_view["timeliness"] == "ageing"


async def test_without_a_contact_the_admins_come_first_then_the_coordinators(
    submissions_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    actors: Any,
    seed: Any,
    new_action: Any,
) -> None:
    mail_dir = tmp_path / "mail"
    monkeypatch.setenv("HTK_MAIL_DIR", str(mail_dir))
    service = create_service()
    async with running(service.app()) as client:
        await seed(service)
        a = await publish(client, actors, new_action(contact_member_id=None), actors.member)
        old = datetime.now(UTC) - timedelta(days=200)
        await service.ctx().db["actions"].update_one({"_id": a}, {"$set": {"confirmed_at": old}})
        reminders = service.ctx().state["reminders"]
        assert await reminders.run() == {"actions": 1, "mails": 1}
        assert await reminders.run(now=datetime.now(UTC) + timedelta(days=31)) == {
            "actions": 1,
            "mails": 1,
        }
        later = datetime.now(UTC) + timedelta(days=62)
        assert await reminders.run(now=later) == {"actions": 1, "mails": 1}
        assert [m["To"] for m in read_sink(mail_dir)] == [
            "a1@example.org",
            "c1@example.org",
            "c1@example.org",
        ], "no contact: the admins, then the coordinators, who keep getting it"
        finnish = read_sink(mail_dir)[0].get_content()
        assert "Yhä ajan tasalla: http" in finnish and "Muokkaa: http" in finnish


async def test_a_contact_who_stops_reminders_is_passed_over_for_the_admins(
    submissions_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    actors: Any,
    seed: Any,
    new_action: Any,
) -> None:
    mail_dir = tmp_path / "mail"
    monkeypatch.setenv("HTK_MAIL_DIR", str(mail_dir))
    monkeypatch.setenv("HTK_REMINDER_LINK_SECRET", "test-secret")
    service = create_service()
    async with running(service.app()) as client:
        await seed(service)
        a = await publish(client, actors, new_action(title="Kerhot"), actors.member)
        old = datetime.now(UTC) - timedelta(days=200)
        await service.ctx().db["actions"].update_one({"_id": a}, {"$set": {"confirmed_at": old}})
        reminders = service.ctx().state["reminders"]
        assert await reminders.run() == {"actions": 1, "mails": 1}
        first = read_sink(mail_dir)[0]
        assert first["To"] == "m1@example.org"
        stop = re.search(r"/reminders/stop\?member=(\S+)&sig=(\S+)&lang=fi", first.get_content())
        assert stop, "every reminder says how to stop reminders"
        member, sig = stop.group(1), stop.group(2)

        forged = await client.post(
            "/reminders/stop", json={"member_id": "m2", "sig": sig, "stopped": True}
        )
        assert forged.status_code == 403 and forged.json()["errors"][0]["field"] == "sig"
        stopped = await client.post("/reminders/stop", json={"member_id": member, "sig": sig})
        assert stopped.status_code == 200 and stopped.json()["stopped"] is True

        # The next round would have gone to the contact again (a new period, the stage count
        # reset by making the action fresh and old again): it goes to the admins instead.
        await (
            service.ctx()
            .db["actions"]
            .update_one({"_id": a}, {"$set": {"confirmed_at": old}, "$unset": {"reminders": ""}})
        )
        assert await reminders.run() == {"actions": 1, "mails": 1}
        assert read_sink(mail_dir)[1]["To"] == "a1@example.org", "passed over, not dropped"

        restarted = await client.post(
            "/reminders/stop", json={"member_id": member, "sig": sig, "stopped": False}
        )
        assert restarted.status_code == 200
        await (
            service.ctx()
            .db["actions"]
            .update_one({"_id": a}, {"$set": {"confirmed_at": old}, "$unset": {"reminders": ""}})
        )
        assert await reminders.run() == {"actions": 1, "mails": 1}
        assert read_sink(mail_dir)[2]["To"] == "m1@example.org", "started again"


@pytest.mark.parametrize(
    ("language", "stop_words"), [("fi", "Lopeta ne"), ("sv", "Stoppa dem"), ("en", "Stop them")]
)
def test_the_reminder_mail_in_each_language_says_how_to_stop_it(
    language: str, stop_words: str
) -> None:
    from htk_submissions.reminders import Recipient, Reminders, valid_stop_signature
    from htk_submissions.settings import SubmissionsSettings

    settings = SubmissionsSettings(public_url="https://htk.example.org/")
    reminders = Reminders.__new__(Reminders)
    reminders.settings, reminders.secret = settings, "s"
    action = {
        "_id": "a1",
        "public": {"title": "Kerhot"},
        "confirmed_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    mail = reminders._mail(Recipient("m1", "Maija", "m@example.org", language, [action]))
    assert stop_words in mail.text and "{" not in mail.text
    stop = re.search(
        r"https://htk\.example\.org/reminders/stop\?member=m1&sig=(\S+)&lang=", mail.text
    )
    assert stop and valid_stop_signature("s", "m1", stop.group(1))
    assert "https://htk.example.org/actions/a1/confirm?token=" in mail.text
