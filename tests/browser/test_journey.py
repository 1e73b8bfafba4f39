"""The journey through the web UI in a real Chromium: someone joins by email link and proposes
their organisation, a coordinator approves it, the new member writes and submits an action,
the coordinator publishes it while the live dashboard counts it without a reload, and a visitor
finds it in search. Every main page is screenshotted and checked with axe-core on the way."""

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import htk, link_for, mail_count, snapshot
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

T = TypeVar("T")
COORDINATOR = "kaisa.koordinaattori@example.org"
MEMBER = "ville.vapaaehtoinen@example.org"
TITLE = "Kylätoimintaa syrjäkylien ikäihmisille"


async def until(probe: Callable[[], Awaitable[T | None]], timeout: float = 90.0) -> T:
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await __import__("asyncio").sleep(0.5)
    raise AssertionError(f"not within {timeout} s; last: {last!r}")


async def sign_in(context: BrowserContext, platform: Launched, email: str) -> Page:
    """Ask for a link on the sign-in page (again while the member's record is on its way to
    the gateway), then follow it and press the confirm button."""
    page = await context.new_page()

    async def mailed() -> str | None:
        before = mail_count(platform)
        await page.goto(f"{platform.url}/login")
        await page.get_by_label("Sähköpostiosoite").fill(email)
        await page.get_by_role("button", name="Lähetä kirjautumislinkki").click()
        await expect(page.get_by_role("heading", name="Tarkista sähköpostisi")).to_be_visible()
        try:
            return link_for(platform, email, before, timeout=3)
        except AssertionError:
            return None

    link = await until(mailed)
    await page.goto(link)
    await page.get_by_role("button", name="Kirjaudu").last.click()
    await expect(page.get_by_role("heading", name="Tervetuloa")).to_be_visible()
    return page


async def test_join_write_publish_find_and_watch_the_count(
    platform: Launched, browser: Browser
) -> None:
    url = platform.url
    print(
        htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Kaisa Koordinaattori")
    )

    # A visitor sees the public pages.
    visitor = await browser.new_context(locale="fi-FI")
    page = await visitor.new_page()
    await page.goto(url)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hyvinvointia kaikille 2030")
    await snapshot(page, "front")
    await page.goto(f"{url}/plan")
    await snapshot(page, "plan")
    await page.goto(f"{url}/coverage")
    await snapshot(page, "coverage")

    # Someone joins and proposes their organisation; the link comes by mail.
    joiner = await browser.new_context(locale="fi-FI")
    page = await joiner.new_page()
    await page.goto(f"{url}/join")
    await page.get_by_role("button", name="Lähetä liittymislinkki").click()
    await expect(page.get_by_role("alert")).to_contain_text("Korjaa nämä kohdat")
    await expect(page.get_by_label("Nimi", exact=True)).to_have_attribute("aria-invalid", "true")
    await snapshot(page, "join-with-errors")
    before = mail_count(platform)
    await page.get_by_label("Nimi", exact=True).fill("Ville Vapaaehtoinen")
    await page.get_by_label("Sähköpostiosoite").fill(MEMBER)
    await page.get_by_label("Uuden organisaation nimi").fill("Selkämeren kylätoiminta ry")
    await page.get_by_label("Uuden organisaation tyyppi").select_option("ngo")
    await page.get_by_label("Olen lukenut tietosuojaselosteen").check()
    await page.get_by_role("button", name="Lähetä liittymislinkki").click()
    await expect(page.get_by_role("heading", name="Tarkista sähköpostisi")).to_be_visible()
    link = link_for(platform, MEMBER, before)
    await page.goto(link)
    await page.get_by_role("button", name="Kirjaudu").last.click()
    await expect(page.get_by_role("heading", name="Tervetuloa")).to_be_visible()

    # The coordinator approves the organisation; its proposer becomes its admin.
    coordinator_context = await browser.new_context(locale="fi-FI")
    coordinator = await sign_in(coordinator_context, platform, COORDINATOR)

    async def proposal_listed() -> bool:
        await coordinator.goto(f"{url}/coordinator")
        return (
            await coordinator.get_by_role(
                "button", name="Hyväksy: Selkämeren kylätoiminta ry"
            ).count()
            > 0
        )

    await until(proposal_listed)
    await snapshot(coordinator, "coordinator-tools")
    await coordinator.get_by_role("button", name="Hyväksy: Selkämeren kylätoiminta ry").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Organisaatio hyväksyttiin")

    # The member writes an action; the form explains what is missing, in Finnish.
    async def may_write() -> bool:
        await page.goto(f"{url}/my/actions/new")
        return await page.get_by_label("Organisaatio", exact=True).locator(
            "option"
        ).count() > 0 and (await page.get_by_text("Selkämeren kylätoiminta ry").count() > 0)

    await until(may_write)
    await page.get_by_label("Otsikko", exact=True).fill("Ky")
    await page.get_by_role("button", name="Tallenna").click()
    await expect(page.get_by_role("alert")).to_contain_text("Kirjoita otsikko, 3–200 merkkiä.")
    await snapshot(page, "action-form-with-errors")
    await page.get_by_label("Otsikko", exact=True).fill(TITLE)
    await page.get_by_label("Tiivistelmä", exact=True).fill(
        "Kyläyhdistys järjestää viikoittaiset kohtaamiset ja kyydit syrjäkylien ikäihmisille."
    )
    await page.get_by_label("Miten toimenpide vähentää eriarvoisuutta").fill(
        "Tavoittaa yksin asuvat ikäihmiset, joille palveluja ja julkista liikennettä on vähän."
    )
    await page.get_by_label("1.1.1", exact=False).first.check()
    await page.get_by_label("Kunnat", exact=True).select_option("564")
    await page.get_by_role("button", name="Tallenna").click()

    async def saved() -> bool:
        if await page.get_by_text("Toimenpide tallennettiin luonnoksena.").count():
            return True
        # The organisation's approval may still be on its way to submissions: save again.
        await page.get_by_role("button", name="Tallenna").click()
        return False

    await until(saved)
    await snapshot(page, "my-action")
    await page.get_by_role("button", name="Lähetä tarkastettavaksi").click()
    await expect(page.locator("#status")).to_have_text("Tarkastettavana")
    await page.goto(f"{url}/my/actions")
    await expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    await snapshot(page, "my-actions")

    # The coordinator watches the dashboard while publishing from the review queue.
    dashboard = await coordinator_context.new_page()
    await dashboard.goto(f"{url}/dashboard")
    await expect(dashboard.locator("#live-status")).to_have_text("Luvut päivittyvät reaaliajassa.")
    await dashboard.evaluate("window.__notReloaded = true")
    before_count = int(await dashboard.locator("#total-actions").inner_text())
    await snapshot(dashboard, "dashboard")
    await coordinator.goto(f"{url}/review")
    await snapshot(coordinator, "review-queue")
    await coordinator.get_by_role("button", name=f"Julkaise: {TITLE}").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Toimenpide julkaistiin.")
    await expect(dashboard.locator("#total-actions")).to_have_text(
        str(before_count + 1), timeout=60_000
    )
    assert await dashboard.evaluate("window.__notReloaded") is True, "the count changed live"

    # A visitor finds it in search and opens its page.
    page = await visitor.new_page()

    async def found() -> bool:
        await page.goto(f"{url}/search?q=kylätoiminta")
        return await page.get_by_role("link", name=TITLE).count() > 0

    await until(found)
    await snapshot(page, "search")
    await page.get_by_role("link", name=TITLE).first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    await snapshot(page, "action")

    # The same pages in Swedish and English.
    for lang, heading in (("sv", "Sök åtgärder"), ("en", "Search actions")):
        await page.goto(f"{url}/search?q=kylätoiminta&lang={lang}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await snapshot(page, f"search-{lang}")
