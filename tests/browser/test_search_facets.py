"""Search facets a person can use: a small municipality, far below the most frequent ones, is
found by name in the facet's own search box and chosen with the keyboard alone; its count is what
choosing it finds; national actions come along only when asked; the language switch keeps the
search and its filters."""

import re
import unicodedata

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import htk, snapshot
from tests.browser.test_journey import until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def ascii_folded(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


async def tab_to(page: Page, selector: str, limit: int = 400) -> None:
    """Press Tab until the element is focused, as a keyboard user would."""
    for _ in range(limit):
        if await page.evaluate(f"document.activeElement?.matches({selector!r}) ?? false"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reached with Tab")


async def test_a_small_municipality_is_chosen_with_the_keyboard(
    platform: Launched, browser: Browser
) -> None:
    htk(platform, "demo", "load", "--actions", "200")
    url = platform.url

    async def facet_counts() -> list[dict[str, object]] | None:
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.get(f"{url}/api/v1/search", params={"q": "", "limit": 1})
        if answer.status_code != 200 or answer.json()["total"] < 200:
            return None
        return list(answer.json()["facets"]["municipality"])

    municipalities = await until(facet_counts)
    # A municipality outside the twelve the page lists first: reachable only by its name.
    small = next(m for m in municipalities[12:] if m["count"])
    code, name, count = str(small["value"]), str(small["label"]), int(str(small["count"]))

    page = await (await browser.new_context(locale="sv-FI")).new_page()
    await page.goto(f"{url}/search?lang=sv")
    await expect(page.locator(f'input[name="municipality"][value="{code}"]')).to_have_count(0)
    await tab_to(page, "#find-municipality")
    # Typed without accents, as on a keyboard without å, ä and ö.
    await page.keyboard.type(ascii_folded(name)[:6].lower())
    await page.keyboard.press("Enter")
    box = f'input[type=checkbox][name="municipality"][value="{code}"]'
    await expect(page.locator(box)).to_have_count(1)
    await snapshot(page, "search-facet-find-sv")
    await tab_to(page, box)
    await page.keyboard.press("Space")
    await expect(page.locator(box)).to_be_checked()
    await tab_to(page, ".facets button[type=submit]:not(.facet-find button)")
    await page.keyboard.press("Enter")

    await expect(page).to_have_url(re.compile(rf"municipality={code}"))
    heading = await page.locator("#results-title").inner_text()
    assert int(heading.rsplit(" ", 1)[1]) == count, (heading, count)
    await expect(page.get_by_label("Visa också nationella åtgärder")).not_to_be_checked()
    await expect(page.get_by_text("inte nationella")).to_be_visible()
    await snapshot(page, "search-small-municipality-sv")

    # National actions only when asked, and the count says so.
    await page.get_by_label("Visa också nationella åtgärder").check()
    await page.get_by_role("button", name="Avgränsa").click()
    await expect(page).to_have_url(re.compile("include_national=true"))
    with_national = int((await page.locator("#results-title").inner_text()).rsplit(" ", 1)[1])
    assert with_national >= count
    listed = page.locator(f'label[for="{await page.locator(box).get_attribute("id")}"]')
    assert f"({with_national})" in await listed.inner_text()

    # The language switch keeps the search and its filters.
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Search actions")
    await expect(page).to_have_url(re.compile(rf"municipality={code}"))
    await expect(page).to_have_url(re.compile("include_national=true"))
    assert int((await page.locator("#results-title").inner_text()).rsplit(" ", 1)[1]) == (
        with_national
    )
    await snapshot(page, "search-small-municipality-en")

    # A word found only in the description shows where: the snippet is the description's
    # fragment with the word marked (the demo actions' descriptions say "esittelyä varten").
    await page.goto(f"{url}/search?q=esittely&lang=fi")
    first = page.locator("ol.results > li").first
    await expect(first.locator("mark").first).to_have_text(re.compile("^esittely", re.I))
    await snapshot(page, "search-description-snippet-fi")
