"""Discussion in a real Chromium, in Finnish and Swedish: a member posts in an action's
discussion (agreeing first to show her name and organisation), a member of another organisation
replies in Swedish, the first one gets the notification mail; the replier reports the first
message and a coordinator hides it with a reason from the report queue; a visitor then sees the
reason in its place. A coordinator opens a topic, and a visitor reads a measure's discussion.
The coordinators' dashboard then shows the dialogue per sub-goal next to the actions. Every page gets an axe check.

Organisations, memberships and the published action are set up through the services' APIs (as
in test_actions_journey); everything people do in the discussion goes through the gateway."""

import re

import pytest
from playwright.async_api import Browser, expect

from htk_runtime.mail import read_sink
from tests.browser.conftest import htk, mail_count, mail_dir, snapshot
from tests.browser.test_actions_journey import Setup, signed_in
from tests.browser.test_journey import until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "kerttu.keskustelu@example.org"
FIRST = "maija.meikalainen@example.org"
SECOND = "sven.svarare@example.org"
TITLE = "Lukupiiri yksin asuville ikäihmisille"


async def test_post_reply_notify_report_and_hide(platform: Launched, browser: Browser) -> None:
    url = platform.url
    htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Kerttu Koordinaattori")
    setup = Setup(platform)
    owner = setup.organisation("Kuopion lukupiirit ry", "905", "17")
    other = setup.organisation("Vasa läsecirkel rf", "499", "17")
    setup.member("Maija Meikäläinen", FIRST, "fi", owner, "member")
    setup.member("Sven Svarare", SECOND, "sv", other, "member")
    action_id = setup.published(
        {
            "title": TITLE,
            "summary": "Viikoittainen lukupiiri kirjastossa yksin asuville ikäihmisille.",
            "inequality_reduction": "Tavoittaa yksin asuvat, joilla on vähän sosiaalisia kontakteja.",
            "organisation_id": owner,
            "measures": ["1.1.1"],
            "municipalities": ["905"],
        }
    )

    # The first member opens the action's discussion (once community has the action).
    first = await signed_in(browser, platform, FIRST, "fi")

    async def discussion_shown() -> bool:
        await first.goto(f"{url}/actions/{action_id}?lang=fi")
        return bool(await first.get_by_role("heading", name="Keskustelu").count())

    await until(discussion_shown)
    await snapshot(first, "discussion-action-fi")

    # Without agreeing to show her name the message is not sent; the text is kept.
    text = "Hieno idea! Katso [THL:n opas](https://thl.fi/opas) ryhmän vetäjille."
    await first.get_by_label("Viesti", exact=True).fill(text)
    await first.get_by_role("button", name="Lähetä viesti").click()
    await expect(first.locator("#consent-error")).to_be_visible()
    await expect(first.locator("#body")).to_have_value(text)
    await snapshot(first, "discussion-consent-fi")
    await first.locator("#consent").check()
    await first.get_by_role("button", name="Lähetä viesti").click()
    await expect(first.get_by_role("status")).to_have_text("Viestisi on julkaistu.")
    message = first.locator(".discussion .message").first
    await expect(message.locator(".message-author")).to_contain_text("Maija Meikäläinen")
    await expect(message.locator(".message-author")).to_contain_text("Kuopion lukupiirit ry")
    # The link shows where it leads.
    await expect(message.locator(".link-host")).to_have_text("(thl.fi)")
    await snapshot(first, "discussion-posted-fi")

    # A member of another organisation replies in Swedish.
    before = mail_count(platform)
    second = await signed_in(browser, platform, SECOND, "sv")
    await second.goto(f"{url}/actions/{action_id}?lang=sv")
    await expect(second.get_by_role("heading", name="Diskussion")).to_be_visible()
    reply = second.locator("details.reply-form").first
    await reply.locator("summary").click()
    await reply.get_by_label("Ditt svar").fill("Vi gör samma sak i Vasa – **gärna** samarbete!")
    await reply.get_by_label("Jag godkänner att mitt namn").check()
    await snapshot(second, "discussion-reply-form-sv")
    await reply.get_by_role("button", name="Skicka svaret").click()
    await expect(second.get_by_role("status")).to_have_text("Ditt meddelande har publicerats.")
    replied = second.locator(".discussion .message.reply").first
    await expect(replied.locator(".message-author")).to_contain_text("Sven Svarare")
    await expect(replied.locator("strong", has_text="gärna")).to_be_visible()
    await snapshot(second, "discussion-replied-sv")

    # The first member follows her thread by writing in it: the reply reaches her by mail.
    async def notified() -> str | None:
        for mail in read_sink(mail_dir(platform))[before:]:
            if mail["To"].lower() == FIRST and TITLE in str(mail["Subject"]):
                return str(mail.get_content())
        return None

    body = await until(notified, timeout=120)
    assert "Uusi viesti" in body or "uusi viesti" in body
    assert re.search(rf"/actions/{action_id}#thread-\S+", body), body
    assert "Sven" not in body  # the mail says where, not who

    # The replier reports the first message to the coordinators.
    await (
        second.locator(".discussion .message")
        .first.get_by_role("link", name="Anmäl olämpligt meddelande")
        .click()
    )
    await expect(second.get_by_role("heading", level=1)).to_have_text(
        "Anmäl meddelandet till koordinatorerna"
    )
    await snapshot(second, "discussion-report-sv")
    await second.get_by_label("Varför är meddelandet olämpligt?").fill("Reklam för en tjänst")
    await second.get_by_role("button", name="Skicka anmälan").click()
    await expect(second.get_by_role("status")).to_have_text(
        "Tack, anmälan har skickats till koordinatorerna."
    )

    # A coordinator hides it with a reason from the queue.
    coordinator = await signed_in(browser, platform, COORDINATOR, "fi")
    await coordinator.goto(f"{url}/coordinator/reports?lang=fi")
    report = coordinator.locator("article.report").first
    await expect(report).to_contain_text("Reklam för en tjänst")
    await snapshot(coordinator, "discussion-reports-fi")
    await report.get_by_label("Piilottamisen syy").fill("Mainontaa, ei keskustelua")
    await report.get_by_role("button", name="Piilota viesti").click()
    await expect(coordinator.get_by_role("status")).to_have_text("Viesti on piilotettu.")
    await expect(coordinator.get_by_text("Ei käsittelemättömiä ilmoituksia.")).to_be_visible()

    # A visitor reads the discussion: the reason instead of the hidden text, the reply kept.
    visitor = await (await browser.new_context(locale="sv-FI")).new_page()
    await visitor.goto(f"{url}/actions/{action_id}")
    section = visitor.locator(".discussion")
    await expect(section).to_contain_text("En koordinator dolde meddelandet: Mainontaa")
    await expect(section).not_to_contain_text("THL:n opas")
    await expect(section).to_contain_text("samarbete")
    await expect(section.get_by_role("link", name="Anmäl olämpligt meddelande")).to_have_count(0)
    await snapshot(visitor, "discussion-visitor-sv")

    # Open topics: a coordinator opens one; a visitor reads a measure's discussion.
    await coordinator.goto(f"{url}/topics?lang=fi")
    await coordinator.get_by_label("Otsikko").fill("Pohjanmaan hyvinvointialueen verkosto")
    await coordinator.get_by_role("button", name="Avaa aihe").click()
    await expect(coordinator.get_by_role("status")).to_have_text("Aihe on avattu keskustelulle.")
    await snapshot(coordinator, "discussion-topic-fi")
    await visitor.goto(f"{url}/topics")
    await expect(
        visitor.get_by_role("link", name="Pohjanmaan hyvinvointialueen verkosto")
    ).to_be_visible()
    await snapshot(visitor, "discussion-topics-sv")
    await visitor.goto(f"{url}/plan/1.1.1/discussion")
    await expect(visitor.get_by_role("heading", name="Diskussion")).to_be_visible()
    await snapshot(visitor, "discussion-measure-sv")

    # The coordinators' dashboard shows where dialogue is active: the reply counts for the
    # action's sub-goal next to its actions (the hidden message no longer counts).
    sub_goal = coordinator.locator("#dialogue-sub-goals tbody tr").filter(
        has=coordinator.get_by_role("rowheader", name=re.compile(r"^1\.1 "))
    )

    async def dialogue_counted() -> bool:
        # Reporting hears of the messages from community.discussion.v1.
        await coordinator.goto(f"{url}/dashboard?lang=fi")
        return await sub_goal.count() > 0

    await until(dialogue_counted)
    threads, messages, actions = (int(c) for c in await sub_goal.locator("td").all_inner_texts())
    assert threads >= 1 and messages >= 1 and actions >= 1, (threads, messages, actions)
    await expect(coordinator.locator("#dialogue-counties tbody tr").first).to_be_visible()
    await expect(
        coordinator.get_by_role("img", name="Keskusteluketjut ja viestit kuukausittain")
    ).to_be_visible()
    await snapshot(coordinator, "dashboard-dialogue-fi")
    await coordinator.goto(f"{url}/dashboard?lang=sv")
    await expect(coordinator.get_by_role("heading", name="Var man diskuterar")).to_be_visible()
    await snapshot(coordinator, "dashboard-dialogue-sv")

    # Live: with the dashboard open, a member's new reply is counted without a reload.
    row = coordinator.locator("#dialogue-sub-goals tbody tr").filter(
        has=coordinator.get_by_role("rowheader", name=re.compile(r"^1\.1 "))
    )
    await expect(coordinator.locator("#live-status")).not_to_have_text("")
    before = int((await row.locator("td").all_inner_texts())[1])
    await coordinator.evaluate("window.notReloaded = true")
    await second.goto(f"{url}/actions/{action_id}")
    reply = second.locator("details.reply-form").first
    await reply.locator("summary").click()
    await reply.get_by_label("Ditt svar").fill("Vi har också en handledning för nya grupper.")
    consent = reply.get_by_label("Jag godkänner att mitt namn")
    if await consent.count():  # asked until the member has agreed once
        await consent.check()
    await reply.get_by_role("button", name="Skicka svaret").click()
    await expect(row.locator("td").nth(1)).to_have_text(str(before + 1), timeout=30_000)
    assert await coordinator.evaluate("window.notReloaded === true")
