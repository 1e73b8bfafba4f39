"""Places in the browser: a municipality page and its county's page in Finnish and Swedish (the
figures equal the public API's, the county lists the municipality side by side), the map in both
languages with every region a named link, and a region followed to its page with the keyboard
alone. A county's report for the regional welfare report in Finnish (page and XLSX) and Swedish
(page and PDF) with its place pages' figures, and the map coloured by an indicator chosen with the
keyboard. Each page passes axe."""

import io
import re
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, htk, snapshot
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


def _fi(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


async def test_county_report_and_the_map_by_indicator(platform: Launched, browser: Browser) -> None:
    # Runs on whatever actions earlier journeys loaded (none is fine: the figures are compared
    # with the place pages, not with fixed numbers).
    htk(platform, "indicators", "load-example")
    url = platform.url
    async with httpx.AsyncClient(timeout=60) as client:
        spec = (await client.get(f"{url}/api/v1/openapi.json")).json()
        index = (await client.get(f"{url}/api/v1/places")).json()
        counties = await client.get(f"{url}/api/v1/places/map", params={"level": "county"})
        county = max(counties.json()["rows"], key=lambda r: (r["actions"], r["code"]))["code"]
        report = (await client.get(f"{url}/api/v1/places/county/{county}/report")).json()
        top = max(report["municipalities"], key=lambda r: (r["actions"], r["code"]))
        page = (await client.get(f"{url}/api/v1/places/municipality/{top['code']}")).json()
        by_indicator = (
            await client.get(
                f"{url}/api/v1/places/map",
                params={"level": "county", "measure": "indicator", "indicator": "900001"},
            )
        ).json()
    assert "/api/v1/places/county/{code}/report" in spec["paths"]
    listed = next(c for c in index["counties"] if c["code"] == county)
    assert listed["report_url"] == f"/places/county/{county}/report"
    # The report's figures are the municipality page's own.
    assert top["actions"] == page["totals"]["actions"]
    assert top["per_10000"] == page["totals"]["per_10000"]
    assert top["gaps"] == [g["code"] for g in page["gaps"]]
    names = report["county"]["names"]

    # Finnish: from the county page to its report, then the XLSX.
    fi = await (await browser.new_context(locale="fi-FI", accept_downloads=True)).new_page()
    await fi.goto(f"{url}/places/county/{county}?lang=fi")
    on_map = fi.locator("#place-indicator-maps a").first
    await expect(on_map).to_have_attribute(
        "href", "/places/map?level=county&measure=indicator&indicator=900001"
    )
    await fi.locator("#county-report-link").click()
    await expect(fi).to_have_url(re.compile(rf"/places/county/{county}/report"))
    await expect(fi.locator("#report-title")).to_have_text(f"Kunnat rinnakkain: {names['fi']}")
    row = fi.locator(f'#report-municipalities tr[data-code="{top["code"]}"]')
    await expect(row.locator("td").nth(1)).to_have_text(str(top["actions"]))
    await expect(row.locator("td").nth(2)).to_have_text(_fi(top["per_10000"]))
    await expect(fi.locator("#report-example")).to_contain_text("ESIMERKKIAINEISTO")
    await expect(fi.locator("#report-indicators tbody tr")).to_have_count(
        len(report["municipalities"]) + 1
    )
    await snapshot(fi, "places-county-report-fi")
    # Printable: the print stylesheet leaves the site's header and the buttons out.
    await fi.emulate_media(media="print")
    await expect(fi.locator("header.site")).to_be_hidden()
    await expect(fi.locator("#report-pdf")).to_be_hidden()
    await expect(fi.locator("#report-municipalities")).to_be_visible()
    await fi.screenshot(path=str(ARTIFACTS / "places-county-report-fi-print.png"), full_page=True)
    await fi.emulate_media(media="screen")
    async with fi.expect_download() as waiting:
        await fi.locator("#report-xlsx").click()
    download = await waiting.value
    saved = ARTIFACTS / download.suggested_filename
    await download.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    labels, keys = table[0], table[1]
    assert labels[keys.index("actions")] == "Toimia" and keys[0] == "code"
    assert labels[keys.index("indicator:900001")].startswith("ESIMERKKI: ")
    xrow = next(dict(zip(keys, r, strict=True)) for r in table[2:] if r[0] == top["code"])
    assert xrow["actions"] == top["actions"] and xrow["per_10000"] == top["per_10000"]
    assert table[-1][0] == county and len(table) == len(report["municipalities"]) + 3

    # Swedish: the page and its PDF, read back with its Swedish letters.
    sv = await (await browser.new_context(locale="sv-FI", accept_downloads=True)).new_page()
    await sv.goto(f"{url}/places/county/{county}/report?lang=sv")
    title = f"Kommunerna sida vid sida: {names['sv']}"
    await expect(sv.get_by_role("heading", level=1)).to_have_text(title)
    assert await sv.locator("html").get_attribute("lang") == "sv"
    await snapshot(sv, "places-county-report-sv")
    missing = await sv.request.get(f"{url}/places/county/99/report?lang=sv")
    assert missing.status == 404
    async with sv.expect_download() as waiting:
        await sv.get_by_role("link", name="Ladda ner PDF").click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".pdf")
    saved = ARTIFACTS / download.suggested_filename
    await download.save_as(saved)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
    assert title in text and "Välfärdsindikatorer" in text and "Åtgärder per delmål" in text
    assert "?" not in text, "every letter has a glyph"

    # The county map coloured by need, chosen with the keyboard: the measure, then Show.
    await fi.goto(f"{url}/places/map?lang=fi&level=county")
    await tab_to(fi, "#map-measure")
    await fi.keyboard.press("End")  # the last measure: the indicator
    await tab_to(fi, "form.map-controls button[type=submit]")
    await fi.keyboard.press("Enter")
    await expect(fi).to_have_url(re.compile(r"measure=indicator"))
    await expect(fi.locator("#map-example")).to_contain_text("ESIMERKKIAINEISTO")
    shown = next(r for r in by_indicator["rows"] if r["code"] == county)
    figure = _fi(shown["value"]) if shown["value"] is not None else "ei tietoa"
    region = fi.locator(f'#place-map a[data-code="{county}"]')
    await expect(region).to_have_attribute("aria-label", f"{names['fi']}: {figure}")
    table_row = fi.locator("#map-table tr", has=fi.locator(f'a[href="/places/county/{county}"]'))
    await expect(table_row.locator("td").first).to_have_text(figure)
    await expect(fi.locator("#map-table thead")).to_contain_text("Indikaattorin arvo")
    no_data = any(r["class"] == "no_data" for r in by_indicator["rows"])
    await expect(fi.locator("#map-legend li")).to_have_count(len(by_indicator["legend"]) + no_data)
    await snapshot(fi, "places-map-indicator-fi")
    await sv.goto(f"{url}/places/map?lang=sv&measure=indicator&indicator=900002")
    await expect(sv.locator("#map-indicator-source")).to_contain_text("Sotkanet")
    await expect(sv.locator("#map-table tbody tr")).to_have_count(308)
    await snapshot(sv, "places-map-indicator-sv")
