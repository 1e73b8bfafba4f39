"""A member's own account, in Swedish, in a real Chromium: they choose which mail they get, a
coordinator returns their action and the notification (with the comment) arrives in the mail
sink in Swedish, its one-click unsubscribe link changes their choice, they download all their
data (JSON and a readable page), and erase their account after reading what erasure does to
their actions. Every page is screenshotted and checked with axe-core."""

import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from htk_contracts.topics import Topic
from htk_runtime.mail import read_sink
from tests.browser.conftest import htk, link_for, mail_count, mail_dir, snapshot
from tests.browser.test_journey import sign_in, until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "kerstin.koordinaattori@example.org"
MEMBER = "stina.strand@example.org"
ORGANISATION = "Österbottens byaråd rf"
TITLE = "Bykaféer för äldre i skärgården"
COMMENT = "Lägg till kommunen, tack."
# Requests and decisions about organisations and members come on catalogue.requests.v1 once the
# catalogue sends them (the joining work); the notifications for them are there either way.
REQUESTS = hasattr(Topic, "CATALOGUE_REQUESTS")


def mails_to(platform: Launched, email: str, subject: str) -> list[EmailMessage]:
    return [
        m
        for m in read_sink(mail_dir(platform))
        if m["To"].lower() == email and str(m["Subject"]).startswith(subject)
    ]


async def api_json(page: Page, method: str, path: str, body: object = None, **headers: str) -> dict:
    """The JSON API from the signed-in page, with its CSRF token for writes."""
    me = await (await page.request.get(f"{path.split('/api/')[0]}/api/v1/me")).json()
    answer = await page.request.fetch(
        path,
        method=method,
        data=json.dumps(body) if body is not None else None,
        headers={"content-type": "application/json", "x-csrf-token": me["csrf_token"], **headers},
    )
    return {
        "status": answer.status,
        "body": await answer.json() if answer.ok else await answer.text(),
    }


async def test_notifications_data_download_and_erasure_in_swedish(
    platform: Launched, browser: Browser, tmp_path: Path
) -> None:
    url = platform.url
    htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Kerstin Koordinaattori")
    coordinator_context = await browser.new_context(locale="fi-FI")
    coordinator = await sign_in(coordinator_context, platform, COORDINATOR)

    # A Swedish-speaking member joins and proposes her organisation.
    context = await browser.new_context(locale="sv-FI")
    page = await context.new_page()
    await page.goto(f"{url}/join?lang=sv")
    before = mail_count(platform)
    await page.get_by_label("Namn", exact=True).fill("Stina Strand")
    await page.get_by_label("E-postadress").fill(MEMBER)
    await page.get_by_label("Den nya organisationens namn").fill(ORGANISATION)
    await page.get_by_label("Jag har läst dataskyddsbeskrivningen").check()
    await page.get_by_role("button", name="Skicka länken").click()
    await page.goto(link_for(platform, MEMBER, before))
    await page.get_by_role("button", name="Logga in").last.click()
    await expect(page.get_by_role("heading", name="Välkommen")).to_be_visible()

    # The coordinators hear of the proposal; one approves it, and she hears of that, in Swedish
    # (when the catalogue tells of requests and decisions on catalogue.requests.v1).
    if REQUESTS:
        proposed = await until(
            lambda: _async(mails_to(platform, COORDINATOR, f"Organisaatioehdotus: {ORGANISATION}"))
        )
        assert "Stina Strand" in proposed[0].get_content()

    async def proposal_listed() -> bool:
        await coordinator.goto(f"{url}/coordinator")
        button = coordinator.get_by_role("button", name=f"Hyväksy: {ORGANISATION}")
        return await button.count() > 0

    await until(proposal_listed)
    await coordinator.get_by_role("button", name=f"Hyväksy: {ORGANISATION}").click()
    if REQUESTS:
        approved = await until(
            lambda: _async(mails_to(platform, MEMBER, f"Organisationen godkänd: {ORGANISATION}"))
        )
        assert "Hej Stina Strand" in approved[0].get_content()

    # Her account page: she wants returns at once and publications in the daily digest.
    await page.goto(f"{url}/my/account")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mitt konto")
    published = page.get_by_role("group", name="Min åtgärd publicerades")
    await published.get_by_label("I dagens sammandrag").check()
    await snapshot(page, "account-sv")
    await page.get_by_role("button", name="Spara valen").click()
    await expect(page.get_by_role("status")).to_have_text("Valen för aviseringar sparades.")
    await expect(published.get_by_label("I dagens sammandrag")).to_be_checked()

    # She writes an action (through the API, once her organisation's approval has reached
    # submissions) with herself as the contact, and submits it on its page.
    me = await (await page.request.get(f"{url}/api/v1/me")).json()
    organisation_id = next(iter(me["organisations"]))
    content = {
        "title": TITLE,
        "summary": "Byaråden ordnar kaféer och skjuts för äldre i skärgården varje vecka.",
        "organisation_id": organisation_id,
        "contact_member_id": me["member_id"],
        "measures": ["1.1.1"],
        "municipalities": ["499"],
        "inequality_reduction": "Når ensamboende äldre som har långt till service och trafik.",
        "language": "sv",
    }

    async def created() -> dict | None:
        answer = await api_json(page, "POST", f"{url}/api/v1/actions", content)
        return answer["body"] if answer["status"] == 201 else None

    action = await until(created)
    await page.goto(f"{url}/my/actions/{action['id']}")
    await page.get_by_role("button", name="Skicka för granskning").click()
    await expect(page.locator("#status")).to_have_text("Under granskning")
    submitted = await until(
        lambda: _async(mails_to(platform, COORDINATOR, f"Tarkastettavana: {TITLE}"))
    )
    assert f"/my/actions/{action['id']}" in submitted[0].get_content()

    # The coordinator returns it with a comment; the mail reaches her in Swedish.
    await coordinator.goto(f"{url}/my/actions/{action['id']}")
    await coordinator.get_by_label("Kommentti lähettäjälle").fill(COMMENT)
    await coordinator.get_by_role("button", name="Palauta korjattavaksi").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("palautettiin")
    returned = await until(
        lambda: _async(mails_to(platform, MEMBER, f"Returnerad för ändringar: {TITLE}"))
    )
    text = returned[0].get_content()
    assert COMMENT in text and f"/my/actions/{action['id']}" in text
    assert len(returned) == 1

    # The mail's unsubscribe link works in one click and changes her choice.
    link = re.search(r"https?://\S+/notifications/unsubscribe\?\S+", text)
    assert link, text
    await page.goto(link.group(0))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Aviseringar avslutade")
    await expect(page.get_by_role("status")).to_contain_text(
        "Min åtgärd returnerades för ändringar"
    )
    await snapshot(page, "unsubscribed-sv")
    await page.get_by_role("link", name="Ändra valen för aviseringar").click()
    returns = page.get_by_role("group", name="Min åtgärd returnerades för ändringar")
    await expect(returns.get_by_label("Aldrig")).to_be_checked()

    # She submits again; the coordinator publishes it, which waits for her digest until the
    # coordinator sends the waiting digests at once.
    await page.goto(f"{url}/my/actions/{action['id']}")
    await page.get_by_role("button", name="Skicka för granskning").click()
    await expect(page.locator("#status")).to_have_text("Under granskning")

    async def in_review() -> bool:
        await coordinator.goto(f"{url}/review")
        return await coordinator.get_by_role("button", name=f"Julkaise: {TITLE}").count() > 0

    await until(in_review)
    await coordinator.get_by_role("button", name=f"Julkaise: {TITLE}").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Toimenpide julkaistiin.")

    async def waiting() -> bool:
        held = await (await page.request.get(f"{url}/my/account/data.json")).json()
        return any(n["kind"] == "action_published" for n in held["gateway"]["notifications"])

    await until(waiting)
    assert mails_to(platform, MEMBER, "Publicerad") == [], "publications wait for the digest"
    await coordinator.goto(f"{url}/coordinator")
    await coordinator.get_by_role("button", name="Lähetä koosteet nyt").click()
    await expect(coordinator.get_by_role("status")).to_have_text("Odottavat koosteet lähetettiin.")
    digest = mails_to(platform, MEMBER, "Dagens sammandrag")
    assert len(digest) == 1
    digest_text = digest[0].get_content()
    assert f"Publicerad: {TITLE}" in digest_text and "Du har 1 ny avisering:" in digest_text
    assert "kind=all" in digest_text
    # Operators have the same as a command; nothing waits any more.
    assert "0 notification digests sent" in htk(platform, "notify", "digest")

    # All her data, as a readable page and as a JSON file.
    await page.goto(f"{url}/my/account")
    await page.get_by_role("link", name="Visa dina uppgifter som en läsbar sida").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Alla dina uppgifter")
    await expect(page.get_by_text(MEMBER)).to_be_visible()
    await expect(page.get_by_text(TITLE).first).to_be_visible()
    await snapshot(page, "account-data-sv")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Ladda ner dina uppgifter som JSON-fil").click()
    download = await download_info.value
    saved = tmp_path / "data.json"
    await download.save_as(saved)
    data = json.loads(saved.read_text("utf-8"))
    assert data["catalogue"]["profile"]["email"] == MEMBER
    assert [a["id"] for a in data["submissions"]["contact_of"]] == [action["id"]]
    assert data["gateway"]["preferences"]["action_returned"] == "never"
    kinds = {n["kind"] for n in data["gateway"]["notifications"]}
    assert {"action_returned", "action_published"} <= kinds
    if REQUESTS:
        assert "organisation_decided" in kinds

    # Erasure: first what it does, then a confirmation.
    await page.goto(f"{url}/my/account")
    await page.get_by_role("link", name="Radera mina uppgifter").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Radera dina uppgifter?")
    await expect(page.get_by_text("Din organisations åtgärder finns kvar")).to_be_visible()
    await snapshot(page, "account-erase-sv")
    await page.get_by_role("button", name="Radera mina uppgifter för gott").click()
    await expect(page.get_by_role("alert")).to_contain_text("Bekräfta raderingen")
    await page.get_by_label("Jag förstår vad raderingen gör").check()
    await page.get_by_role("button", name="Radera mina uppgifter för gott").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dina uppgifter är raderade")
    await snapshot(page, "account-erased-sv")
    answer = await page.request.get(f"{url}/api/v1/me")
    assert answer.status == 401, "signed out"

    # The action stays with the organisation, without her as its contact.
    async def contact_removed() -> bool:
        answer = await coordinator.request.get(f"{url}/api/v1/actions/{action['id']}")
        body = await answer.json()
        return answer.ok and body["content"].get("contact_member_id") is None

    await until(contact_removed)


async def _async(value: object) -> object:
    return value
