"""News and events in a real Chromium, in Finnish and Swedish: a coordinator publishes news in
Finnish only; a Swedish reader sees it on the front page marked as Finnish, in the archive,
and in the Swedish Atom feed (fetched and parsed); a member of an organisation announces a
workshop in Swedish, which the upcoming list shows for the kinds of organisation and the county
it is for and not for others, and which downloads as a valid iCalendar file in Finnish time;
she shares her organisation's experience of its published action, which the coordinator
highlights as a good practice, listed on the front page and found through search's
good-practice filter; the news and the workshop are found by search as results of their own.
Every page is screenshotted and checked with axe-core."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import htk, link_for, mail_count, snapshot
from tests.browser.test_account import api_json
from tests.browser.test_journey import sign_in, until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "uma.uutiset@example.org"
MEMBER = "eva.evenemang@example.org"
ORGANISATION = "Satakunnans byaforum rf"
NEWS_TITLE = "Toimeenpanon väliarvio valmistui"
EVENT_TITLE = "Workshop om välfärdsberättelsen"
PRACTICE_TITLE = "Byaskjutsar till mötesplatser för äldre"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def ics_lines(raw: bytes) -> list[tuple[str, dict[str, str], str]]:
    """RFC 5545 as a calendar program reads it: CRLF lines of at most 75 octets, unfolded into
    (name, parameters, value), components opened and closed in order."""
    assert raw.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = []
    for line in raw.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]:
        head, sep, value = line.partition(":")
        assert sep, line
        name, *params = head.split(";")
        lines.append((name, dict(p.split("=", 1) for p in params), value))
    stack: list[str] = []
    for name, _, value in lines:
        if name == "BEGIN":
            stack.append(value)
        elif name == "END":
            assert stack.pop() == value
    assert not stack and lines[0] == ("BEGIN", {}, "VCALENDAR")
    return lines


async def test_news_on_the_front_page_and_feed_and_an_event_in_the_list_and_calendar(
    platform: Launched, browser: Browser, tmp_path: Path
) -> None:
    url = platform.url
    htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Uma Uutiset")
    coordinator = await sign_in(await browser.new_context(locale="fi-FI"), platform, COORDINATOR)

    # The coordinator publishes news in Finnish only; a title missing is said beside the field.
    await coordinator.goto(f"{url}/news")
    await coordinator.get_by_role("link", name="Julkaise uutinen").click()
    await coordinator.get_by_role("button", name="Julkaise").click()
    await expect(coordinator.get_by_role("alert")).to_contain_text("Anna suomenkielinen otsikko")
    await snapshot(coordinator, "news-form-errors-fi")
    fi = coordinator.get_by_role("group", name="Teksti: Suomi")
    await fi.get_by_label("Otsikko").fill(NEWS_TITLE)
    await fi.get_by_label("Tiivistelmä").fill("Väliarvio kertoo, mitkä alatavoitteet etenevät.")
    await fi.get_by_label("Teksti", exact=True).fill("Lue **koko arvio** ja kommentoi.")
    await coordinator.get_by_label("Alatavoitteet, joita uutinen koskee").select_option("1.1")
    await coordinator.get_by_role("button", name="Julkaise").click()
    await expect(coordinator.get_by_role("status")).to_have_text("Uutinen julkaistiin.")
    await expect(coordinator.get_by_role("heading", level=1)).to_have_text(NEWS_TITLE)
    await expect(coordinator.locator("strong", has_text="koko arvio")).to_be_visible()
    await snapshot(coordinator, "news-item-fi")

    # A Swedish reader sees it on the front page, marked as Finnish, and in the archive.
    reader = await (await browser.new_context(locale="sv-FI")).new_page()
    await reader.goto(f"{url}/?lang=sv")
    news = reader.get_by_role("region", name="Nyheter")
    await expect(news.get_by_role("link", name=NEWS_TITLE)).to_have_attribute("lang", "fi")
    await expect(news).to_contain_text("Finns inte på svenska: visas på finska.")
    await snapshot(reader, "front-news-sv")
    await news.get_by_role("link", name="Alla nyheter").click()
    await expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Nyheter om genomförandet av planen"
    )
    await snapshot(reader, "news-archive-sv")
    await reader.get_by_role("link", name=NEWS_TITLE).click()
    await expect(reader.locator("#news-fallback")).to_have_text(
        "Finns inte på svenska: visas på finska."
    )
    await snapshot(reader, "news-item-sv-fallback")

    # The Swedish Atom feed has it, marked as Finnish, linking to its page.
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        feed = await client.get("/news/feed.sv.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)  # noqa: S314  # the platform's own answer
    assert root.tag == ATOM + "feed" and root.get(XML_LANG) == "sv"
    assert root.findtext(ATOM + "title", "").startswith("Nyheter")
    entry = next(
        e for e in root.findall(ATOM + "entry") if e.findtext(ATOM + "title") == NEWS_TITLE
    )
    assert entry.get(XML_LANG) == "fi"
    link = entry.find(ATOM + "link")
    assert link is not None and re.search(r"/news/[0-9a-f-]{36}\?lang=sv$", link.get("href", ""))
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", entry.findtext(ATOM + "id", ""))

    # A Swedish-speaking member of an approved organisation announces a workshop.
    context = await browser.new_context(locale="sv-FI", accept_downloads=True)
    page = await context.new_page()
    await page.goto(f"{url}/join?lang=sv")
    before = mail_count(platform)
    await page.get_by_label("Namn", exact=True).fill("Eva Evenemang")
    await page.get_by_label("E-postadress").fill(MEMBER)
    await page.get_by_label("Den nya organisationens namn").fill(ORGANISATION)
    await page.get_by_label("Jag har läst dataskyddsbeskrivningen").check()
    await page.get_by_role("button", name="Skicka länken").click()
    await page.goto(link_for(platform, MEMBER, before))
    await page.get_by_role("button", name="Logga in").last.click()
    await expect(page.get_by_role("heading", name="Välkommen")).to_be_visible()

    async def proposal_listed() -> bool:
        await coordinator.goto(f"{url}/coordinator")
        return await coordinator.get_by_role("button", name=f"Hyväksy: {ORGANISATION}").count() > 0

    await until(proposal_listed)
    await coordinator.get_by_role("button", name=f"Hyväksy: {ORGANISATION}").click()

    async def may_announce() -> bool:
        await page.goto(f"{url}/events?lang=sv")
        return await page.get_by_role("link", name="Meddela ett evenemang").count() > 0

    await until(may_announce)
    await page.get_by_role("link", name="Meddela ett evenemang").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meddela ett evenemang")
    await page.get_by_label("Typ av evenemang").select_option("workshop")
    await page.get_by_label("Evenemangets namn").fill(EVENT_TITLE)
    await page.get_by_label("Beskrivning").fill("Vi går igenom välfärdsberättelsen; ta med data.")
    await page.get_by_label("Evenemangets språk").select_option("sv")
    # A winter day two months ahead at 13:00 Finnish time (UTC+2).
    day = (datetime.now(ZoneInfo("Europe/Helsinki")) + timedelta(days=60)).date()
    day = day.replace(month=1) if day.month not in (1, 2, 12) else day
    if day <= datetime.now(UTC).date():
        day = day.replace(year=day.year + 1)
    await page.get_by_label("Börjar").fill(f"{day.isoformat()}T13:00")
    await page.get_by_label("Slutar").fill(f"{day.isoformat()}T12:00")
    await page.get_by_label("Arrangör").fill("Satakunnans byaforum och THL")
    await page.get_by_label("Kommun", exact=True).check()
    await page.get_by_label("Välfärdsområden").select_option("06")
    await page.get_by_label("Delmål", exact=True).select_option("1.1")
    await page.get_by_label("Anmälan").fill("javascript:alert(1)")
    await page.get_by_role("button", name="Meddela", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "Ange en webbadress som börjar med https://."
    )
    await expect(page.get_by_label("Anmälan")).to_have_attribute("aria-invalid", "true")
    await snapshot(page, "event-form-errors-sv")
    # The fields are kept; the rules across fields come next: the end, the place.
    await expect(page.get_by_label("Evenemangets namn")).to_have_value(EVENT_TITLE)
    await page.get_by_label("Anmälan").fill("https://example.org/anmalan")
    await page.get_by_role("button", name="Meddela", exact=True).click()
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Slutet måste vara efter början.")
    await expect(alert).to_contain_text("Ange platsen eller länken på nätet (eller båda).")
    await page.get_by_label("Slutar").fill(f"{day.isoformat()}T15:30")
    await page.get_by_label("Länk på nätet").fill("https://example.org/mote")
    await page.get_by_role("button", name="Meddela", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Evenemanget meddelades.")
    await expect(page.get_by_role("heading", level=1)).to_have_text(EVENT_TITLE)
    await expect(page.locator("dl.facts")).to_contain_text("13:00")
    await expect(page.locator("dl.facts")).to_contain_text("(finsk tid)")
    await snapshot(page, "event-sv")

    # It downloads as a valid iCalendar file, in Finnish time with a stable UID.
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Lägg till i kalendern (.ics)").click()
    download = await download_info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.suffix == ".ics"
    props = {n: (p, v) for n, p, v in ics_lines(saved.read_bytes())}
    stamp = day.strftime("%Y%m%d")
    assert props["DTSTART"] == ({"TZID": "Europe/Helsinki"}, f"{stamp}T130000")
    assert props["DTEND"] == ({"TZID": "Europe/Helsinki"}, f"{stamp}T153000")
    assert props["SUMMARY"][1] == EVENT_TITLE
    assert re.fullmatch(r"[0-9a-f-]{36}@[\w.-]+", props["UID"][1])
    assert props["LOCATION"][1] == "https://example.org/mote"

    # The upcoming list: shown for municipalities in Satakunta, not for companies.
    await page.goto(f"{url}/events?lang=sv")
    await page.get_by_label("För organisationer av typen").select_option("municipality")
    await page.get_by_label("Välfärdsområde", exact=True).select_option("06")
    await page.get_by_label("Delmål").select_option("1.1")
    await page.get_by_role("button", name="Visa", exact=True).click()
    await expect(page.get_by_role("link", name=EVENT_TITLE)).to_be_visible()
    await snapshot(page, "events-filtered-sv")
    await page.get_by_label("För organisationer av typen").select_option("company")
    await page.get_by_role("button", name="Visa", exact=True).click()
    await expect(page.get_by_text("Inga evenemang motsvarar valen.")).to_be_visible()
    await expect(page.get_by_role("link", name=EVENT_TITLE)).to_have_count(0)

    # In Finnish, the front page lists it among the upcoming events.
    visitor = await (await browser.new_context(locale="fi-FI")).new_page()
    await visitor.goto(f"{url}/?lang=fi")
    upcoming = visitor.get_by_role("region", name="Tulevat tapahtumat")
    await expect(upcoming.get_by_role("link", name=EVENT_TITLE)).to_be_visible()
    await snapshot(visitor, "front-events-fi")
    await visitor.goto(f"{url}/events?lang=fi")
    await snapshot(visitor, "events-fi")

    # Good practices: her organisation's action is published; she shares its experience.
    me = await (await page.request.get(f"{url}/api/v1/me")).json()
    content = {
        "title": PRACTICE_TITLE,
        "summary": "Byaforumet ordnar mötesplatser och skjuts för äldre i byarna.",
        "organisation_id": next(iter(me["organisations"])),
        "contact_member_id": me["member_id"],
        "measures": ["1.1.1"],
        "municipalities": ["609"],
        "inequality_reduction": "Når ensamboende äldre som har långt till service.",
        "language": "sv",
    }
    made = await api_json(page, "POST", f"{url}/api/v1/actions", content)
    assert made["status"] == 201, made
    action_id = made["body"]["id"]
    submitted = await api_json(
        page, "POST", f"{url}/api/v1/actions/{action_id}/submit", None, **{"if-match": '"1"'}
    )
    assert submitted["status"] == 200, submitted
    published = await api_json(
        coordinator,
        "POST",
        f"{url}/api/v1/actions/{action_id}/publish",
        None,
        **{"if-match": '"2"'},
    )
    assert published["status"] == 200, published

    await page.goto(f"{url}/actions/{action_id}?lang=sv")
    await page.get_by_role("link", name="Erfarenheter av åtgärden och god praxis").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Erfarenheter: {PRACTICE_TITLE}"
    )

    async def shared() -> bool:
        await page.goto(f"{url}/actions/{action_id}/experiences?lang=sv")
        await page.get_by_label("Vad fungerade", exact=True).fill("Skjutsarna fick med byborna.")
        await page.get_by_label("Vad fungerade inte").fill("Kvällarna lockade få.")
        await page.get_by_label("För vem").fill("Ensamboende äldre i byarna")
        await page.get_by_role("button", name="Dela erfarenheten").click()
        # Until the community service has heard of the publication, the action is unknown there.
        return await page.get_by_text("Din erfarenhet delades.").count() > 0

    await until(shared)
    await expect(page.locator(".experiences")).to_contain_text("Ensamboende äldre i byarna")
    await snapshot(page, "practices-sv")

    await coordinator.goto(f"{url}/actions/{action_id}/experiences?lang=fi")
    await coordinator.get_by_label("Perustelu (näytetään noston yhteydessä)").fill(
        "Tavoittaa syrjäkylien ikäihmiset"
    )
    await coordinator.get_by_role("button", name="Nosta hyväksi käytännöksi").click()
    await expect(coordinator.get_by_role("status")).to_have_text(
        "Toimenpide nostettiin hyväksi käytännöksi."
    )
    await visitor.goto(f"{url}/?lang=fi")
    practices = visitor.get_by_role("region", name="Hyvät käytännöt")
    await expect(practices.get_by_role("link", name=PRACTICE_TITLE)).to_be_visible()
    await practices.get_by_role("link", name="Hyvät käytännöt").click()
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("Hyvät käytännöt")
    await expect(visitor.get_by_role("main")).to_contain_text("Skjutsarna fick med byborna.")
    await snapshot(visitor, "good-practices-fi")

    # A good practice is found through search: the filter "Hyvä käytäntö" finds it, marked.
    box = visitor.get_by_label(re.compile(r"^Nostettu hyväksi käytännöksi \(\d+\)$"))

    async def filter_offered() -> bool:
        # The search service hears of the highlight from community.practices.v1.
        await visitor.goto(f"{url}/search?lang=fi")
        return await box.count() > 0

    await until(filter_offered)
    await box.check()
    await visitor.get_by_role("button", name="Rajaa").click()
    await expect(visitor).to_have_url(re.compile("good_practice=yes"))
    hit = visitor.locator("ol.results > li").filter(has_text=PRACTICE_TITLE)
    await expect(hit.get_by_role("link", name=PRACTICE_TITLE)).to_be_visible()
    await expect(hit).to_contain_text("Hyvä käytäntö")
    assert (
        await visitor.locator("ol.results > li").count()
        == await visitor.locator("ol.results > li", has_text="Hyvä käytäntö").count()
    )
    await snapshot(visitor, "search-good-practice-fi")
    # The same filter in the public API.
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.get(f"{url}/api/v1/search", params={"good_practice": "yes"})
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert action_id in [h["action_id"] for h in items] and all(h["good_practice"] for h in items)

    # News and events are searchable as their own result type: a Swedish reader finds the
    # Finnish news (marked as Finnish) and the workshop, beside the actions.
    found = visitor.get_by_role("region", name=re.compile(r"^Nyheter och evenemang: \d+$"))

    async def community_found() -> bool:
        await visitor.goto(f"{url}/search?q=väliarvio+välfärdsberättelsen&lang=sv")
        return await found.get_by_role("link").count() >= 2

    await until(community_found)
    await expect(found.get_by_role("link", name=NEWS_TITLE)).to_be_visible()
    await expect(found.get_by_role("link", name=EVENT_TITLE)).to_be_visible()
    await expect(found.locator("li", has_text=NEWS_TITLE)).to_contain_text("Nyhet · Suomi")
    await snapshot(visitor, "search-news-events-sv")
