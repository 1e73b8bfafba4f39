"""``htk demo load`` makes a living platform: hundreds of published actions that search and the
coverage pages show, and a second run adds nothing."""

import re

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import htk, snapshot
from tests.browser.test_journey import until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


async def test_demo_data_fills_search_and_coverage(platform: Launched, browser: Browser) -> None:
    first = htk(platform, "demo", "load", "--actions", "200")
    assert re.search(r"\b200 demo actions published", first), first
    again = htk(platform, "demo", "load", "--actions", "200")
    assert "0 demo actions published, 200 were there already" in again

    page = await (await browser.new_context(locale="sv-FI")).new_page()

    async def counted() -> bool:
        await page.goto(f"{platform.url}/coverage?lang=sv")
        total = await page.locator('strong[data-node="*"]').inner_text()
        return int(total) >= 200

    await until(counted)
    await snapshot(page, "coverage-demo-sv")

    async def searchable() -> bool:
        await page.goto(f"{platform.url}/search?q=demo&lang=sv")
        heading = await page.locator("#results-title").inner_text()
        return int(heading.rsplit(" ", 1)[1]) >= 200

    await until(searchable)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sök åtgärder")
    await snapshot(page, "search-demo-sv")
