"""The public API's description as a page of the site, in Finnish, Swedish and English: reached
from the footer, every operation of the OpenAPI document on it with its parameters and answers
(the workflow steps included), and nothing loaded from another origin. Each page passes axe."""

from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Request, expect

from tests.browser.conftest import snapshot
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TITLES = {"fi": "Rajapinnan kuvaus", "sv": "Beskrivning av gränssnittet", "en": "API description"}


async def test_the_api_description_in_three_languages(platform: Launched, browser: Browser) -> None:
    url = platform.url
    async with httpx.AsyncClient(timeout=60) as client:
        spec = (await client.get(f"{url}/api/v1/openapi.json")).json()
    operations = [
        f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops
    ]
    assert "POST /api/v1/actions/{action_id}/{step}" in operations
    for lang, title in TITLES.items():
        context = await browser.new_context()
        page = await context.new_page()
        origins: set[str] = set()

        def asked(request: Request, seen: set[str] = origins) -> None:
            seen.add(urlsplit(request.url).netloc)

        page.on("request", asked)
        await page.goto(f"{url}/?lang={lang}")
        await page.locator("footer a[href='/api/v1/docs']").click()
        await expect(page.locator("h1")).to_have_text(title)
        shown = await page.locator("h3 code").all_inner_texts()
        assert sorted(shown) == sorted(operations)
        step = page.locator("h3", has_text="/api/v1/actions/{action_id}/{step}")
        await expect(step.locator("xpath=following-sibling::dl[1]")).to_contain_text("if-match")
        await snapshot(page, f"api-docs-{lang}")
        assert origins == {urlsplit(url).netloc}, origins
        await context.close()
