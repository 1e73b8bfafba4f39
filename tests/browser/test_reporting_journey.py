"""A coordinator reports to the government from the dashboard, in a real Chromium with axe on
every page: a number opens the list of the actions it counts (as many as it says), the state at
a past date and the weekly trend are charted and tabled, new actions reach the open dashboard
without a reload, a snapshot freezes the period and is compared with now, and the yearly report
opens in Swedish as a page and downloads as a PDF whose text reads back.

Runs after test_demo (file order) on the same platform; it loads the same demo data itself so
that it also runs alone."""

import io
import re
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, htk, snapshot
from tests.browser.test_journey import sign_in, until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "reetta.raportoija@example.org"
DEMO = 200


async def _drill(page: Page, link_selector: str, name: str) -> int:
    """Open the first figure under ``link_selector`` that fits one page of the list, check the
    list holds as many actions as the figure said; the figure."""
    links = page.locator(link_selector)
    for i in range(await links.count()):
        shown = int((await links.nth(i).inner_text()).strip())
        if 0 < shown <= 50:
            await links.nth(i).click()
            break
    else:
        raise AssertionError(f"no figure between 1 and 50 under {link_selector}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Toimenpiteet luvun takana")
    await expect(page.locator("#drill-count")).to_have_text(f"{shown} toimenpidettä")
    await expect(page.locator("#drill-table tbody tr")).to_have_count(shown)
    await snapshot(page, name)
    return shown


async def test_dashboard_drill_down_past_trend_snapshot_and_yearly_report(
    platform: Launched, browser: Browser
) -> None:
    url = platform.url
    year = datetime.now(UTC).year
    htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Reetta Raportoija")
    htk(platform, "demo", "load", "--actions", str(DEMO))
    context = await browser.new_context(locale="fi-FI", accept_downloads=True)
    page = await sign_in(context, platform, COORDINATOR)

    async def counted() -> int | None:
        await page.goto(f"{url}/dashboard")
        total = int(await page.locator("#total-actions").inner_text())
        return total if total >= DEMO else None

    total = await until(counted)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Tilannekuva")
    await expect(page.locator("#chart-series-caption")).to_be_visible()
    await snapshot(page, "reporting-dashboard")

    # The total, a sub-goal's cell and a county's figure each open the actions they count.
    await page.locator("#total-actions a").click()
    await expect(page.locator("#drill-count")).to_have_text(f"{total} toimenpidettä")
    await page.goto(f"{url}/dashboard")
    shown = await _drill(page, "#plan-table tr.level-sub_goal td[data-node] a", "drill-sub-goal")
    # Search filtered by the same sub-goal finds the same actions (nationwide figures; by area,
    # search also counts national and county-wide actions, and the page says so).
    await page.get_by_role("link", name="Avaa sama suunnitelman osa haussa").click()
    await expect(page.locator("#results-title")).to_have_text(f"Tuloksia: {shown}")
    await page.goto(f"{url}/dashboard")
    await _drill(page, "#county-table td[data-scope^='county:'] a", "drill-county")
    # A bar of the chart opens the same list as its row in the table.
    await page.goto(f"{url}/dashboard")
    bar = page.locator("#chart-priorities-caption ~ svg a").first
    cell = page.locator("#plan-table tr.level-priority td[data-node] a").first
    assert await bar.get_attribute("href") == await cell.get_attribute("href")

    # The state at a past date, and the weekly trend as a chart and a table.
    await page.get_by_role("link", name=re.compile("Tilanne tiettynä päivänä")).click()
    today = datetime.now(UTC).date().isoformat()
    await page.get_by_label("Päivä", exact=True).fill(today)
    await page.get_by_role("button", name="Näytä").click()
    await expect(page.locator("#past-total")).to_contain_text(f": {total}")
    await expect(page.locator("#past-table")).to_be_visible()
    await page.get_by_role("link", name="Viikoittain").click()
    await expect(page.locator("#series-table tbody tr").first).to_be_visible()
    await expect(page.locator("#chart-trend-caption")).to_contain_text("viikon lopussa")
    # The same for one county: its figures then and now, and its own trend.
    area = page.get_by_label("Alue")
    await area.select_option(index=2)
    county = (await area.locator("option:checked").inner_text()).strip()
    await page.get_by_role("button", name="Näytä").click()
    await expect(page.locator("#past-table caption")).to_contain_text(county)
    await expect(page.locator("#series-table caption")).to_contain_text(county)
    await snapshot(page, "dashboard-history")

    # A snapshot freezes the period.
    await page.goto(f"{url}/dashboard/snapshots")
    await page.get_by_label("Nimi", exact=True).fill("Vuosi – koe")
    await page.get_by_role("button", name="Jäädytä luvut").click()
    await expect(page.get_by_role("status")).to_have_text("Luvut jäädytettiin.")
    await expect(page.locator("#snapshot-table tbody tr")).to_have_count(1)

    # New actions reach the open dashboard without a reload, announced politely.
    await page.goto(f"{url}/dashboard")
    await expect(page.locator("#live-status")).to_have_text("Luvut päivittyvät reaaliajassa.")
    assert await page.locator("#live-status").get_attribute("aria-live") == "polite"
    await page.evaluate("window.__notReloaded = true")
    htk(platform, "demo", "load", "--actions", str(DEMO + 5))
    await expect(page.locator("#total-actions")).to_have_text(str(total + 5), timeout=60_000)
    await expect(page.locator("#live-status")).to_contain_text("Päivitetty")
    assert await page.evaluate("window.__notReloaded") is True

    # Compared with now, the frozen snapshot lacks exactly those actions.
    await page.goto(f"{url}/dashboard/snapshots")
    await page.get_by_label("Toinen").select_option("live")
    await page.get_by_role("button", name="Vertaa").click()
    whole = page.locator("#compare-table tr.level-plan")
    await expect(whole.locator("td")).to_have_text([str(total), str(total + 5), "+5"])
    await snapshot(page, "snapshots")

    # The yearly report in Swedish: the page, from the snapshot, and its PDF.
    await page.goto(f"{url}/reports/yearly/{year}?lang=sv")
    heading = f"Årsrapport om genomförandet {year}"
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert await page.locator("html").get_attribute("lang") == "sv"
    await expect(page.get_by_text("frysta ögonblicksbilden")).to_be_visible()
    await snapshot(page, "yearly-report-sv")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Ladda ner PDF").click()
    download = await waiting.value
    assert download.suggested_filename == f"htk-yearly-report-{year}-sv.pdf"
    saved = ARTIFACTS / download.suggested_filename
    await download.save_as(saved)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
    assert heading in text and "Regional täckning" in text
    assert "?" not in text, "every letter has a glyph"

    # The dashboard reads in English too.
    await page.goto(f"{url}/dashboard?lang=en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    await snapshot(page, "reporting-dashboard-en")
    await context.close()
