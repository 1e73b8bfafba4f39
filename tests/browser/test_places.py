"""Places in the browser: a municipality page and its county's page in Finnish and Swedish (the
figures equal the public API's, the county lists the municipality side by side), the map in both
languages with every region a named link, and a region followed to its page with the keyboard
alone. Each page passes axe."""

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import htk, snapshot
from tests.browser.test_journey import until
from tests.browser.test_search_facets import tab_to
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


async def test_place_pages_and_the_map_in_finnish_and_swedish(
    platform: Launched, browser: Browser
) -> None:
    htk(platform, "demo", "load", "--actions", "200")
    url = platform.url

    async def busiest() -> dict[str, Any] | None:
        async with httpx.AsyncClient(timeout=30) as client:
            country = await client.get(f"{url}/api/v1/places/finland")
            if country.status_code != 200 or country.json()["totals"]["actions"] < 200:
                return None  # the demo actions are still on their way to reporting
            answer = await client.get(f"{url}/api/v1/places/map", params={"level": "municipality"})
        rows = sorted(answer.json()["rows"], key=lambda r: -r["actions"])
        return rows[0] if rows else None

    top = await until(busiest)
    code = top["code"]
    async with httpx.AsyncClient(timeout=30) as client:
        api = (await client.get(f"{url}/api/v1/places/municipality/{code}")).json()
        spec = (await client.get(f"{url}/api/v1/openapi.json")).json()
    assert "/api/v1/places/municipality/{code}" in spec["paths"]
    assert "/api/v1/places/map" in spec["paths"]
    county = api["place"]["county"]["code"]

    fi = await (await browser.new_context(locale="fi-FI")).new_page()
    await fi.goto(f"{url}/places/municipality/{code}?lang=fi")
    await expect(fi.locator("#place-name")).to_have_text(api["place"]["names"]["fi"])
    await expect(fi.locator("#place-actions")).to_have_text(str(api["totals"]["actions"]))
    per = f"{api['totals']['per_10000']:.1f}".replace(".", ",")
    await expect(fi.locator("#place-per-10000")).to_have_text(per)
    await expect(fi.locator("#place-population")).to_contain_text("2024-12-31")
    own = api["actions"]["own"]
    await expect(fi.locator("#list-own li")).to_have_count(len(own["rows"]))
    await expect(fi.locator("#place-gap-count")).to_have_text(str(len(api["gaps"])))
    await snapshot(fi, "places-municipality-fi")
    # The county from the breadcrumb: its page lists this municipality beside the others.
    await fi.locator("#place-county-link").click()
    await expect(fi).to_have_url(re.compile(rf"/places/county/{county}"))
    row = fi.locator("#place-parts tr", has=fi.locator(f'a[href="/places/municipality/{code}"]'))
    await expect(row.locator("td").nth(1)).to_have_text(str(api["totals"]["actions"]))
    await snapshot(fi, "places-county-fi")

    sv = await (await browser.new_context(locale="sv-FI")).new_page()
    await sv.goto(f"{url}/places/municipality/{code}?lang=sv")
    await expect(sv.locator("#place-name")).to_have_text(api["place"]["names"]["sv"])
    await expect(
        sv.get_by_role("heading", name=re.compile("Kommunens egna åtgärder"))
    ).to_be_visible()
    await snapshot(sv, "places-municipality-sv")
    await sv.goto(f"{url}/places/county/{county}?lang=sv")
    await expect(sv.get_by_role("heading", name=re.compile("sida vid sida"))).to_be_visible()
    await snapshot(sv, "places-county-sv")

    # The map of municipalities in Finnish: each region is a link named with its figure.
    await fi.goto(f"{url}/places/map?lang=fi&measure=per_10000")
    region = fi.locator(f'#place-map a[data-code="{code}"]')
    await expect(region).to_have_attribute("aria-label", f"{api['place']['names']['fi']}: {per}")
    await expect(fi.locator("#map-source")).to_contain_text("Tilastokeskus")
    await expect(fi.locator("#map-table tbody tr")).to_have_count(308)
    await snapshot(fi, "places-map-fi")

    # The county map in Swedish, followed to the county's page with the keyboard alone.
    await sv.goto(f"{url}/places/map?lang=sv&level=county")
    target = f'#place-map a[data-code="{county}"]'
    await expect(sv.locator(target)).to_have_attribute("href", f"/places/county/{county}")
    await snapshot(sv, "places-map-counties-sv")
    await tab_to(sv, target, limit=200)
    await sv.keyboard.press("Enter")
    await expect(sv).to_have_url(re.compile(rf"/places/county/{county}"))
    await expect(sv.locator("#place-name")).to_have_text(api["place"]["county"]["names"]["sv"])

    # Need next to activity with the example indicators, marked as example data in Swedish.
    htk(platform, "indicators", "load-example")
    await sv.goto(f"{url}/places/need?lang=sv")
    await expect(sv.locator("#need-example")).to_contain_text("EXEMPELDATA")
    await expect(sv.locator("#need-table tbody tr")).to_have_count(308)
    first = sv.locator("#need-table tbody tr").first.locator("td").nth(1)
    second = sv.locator("#need-table tbody tr").nth(1).locator("td").nth(1)
    high = float((await first.inner_text()).replace(",", "."))
    assert high >= float((await second.inner_text()).replace(",", "."))
    await snapshot(sv, "places-need-sv")
    await fi.goto(f"{url}/places/municipality/{code}?lang=fi")
    await expect(fi.locator("#place-indicators")).to_contain_text("esimerkkiaineisto")
