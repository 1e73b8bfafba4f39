"""No personal data where the public (or a spreadsheet) can see it.

An action is published with a contact person whose name and address are unique markers, and
that person also asks to join an organisation. Then the markers, and every seeded person's
address, are looked for in: every public page a visitor reaches by following links from the
front page, public API answers, search results, every open-data download and every coordinator
export (CSV and the XML inside XLSX), and every event on the public topics, read from the broker.
"""

import asyncio
import io
import re
import uuid
import zipfile
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from htk_contracts.topics import Topic
from tests.security.published import Published, discuss, publish_through_workflow
from tests.stack import ROLES, RunningPlatform

pytestmark = pytest.mark.security

# Topics anyone may read (the members topic carries addresses by design, for the gateway's
# login, and stays inside the platform).
PUBLIC_TOPICS = (
    Topic.SUBMISSIONS_ACTIONS,
    Topic.CATALOGUE_ORGANISATIONS,
    Topic.CATALOGUE_PLAN,
    Topic.COMMUNITY_NEWS,
    Topic.COMMUNITY_EVENTS,
    Topic.COMMUNITY_PRACTICES,
)
MAX_PAGES = 80


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


@pytest.fixture(scope="module")
def contact(platform: RunningPlatform) -> tuple[Published, list[str]]:
    tag = uuid.uuid4().hex[:8]
    name, email = f"Yksityinen Henkilo{tag}", f"yksityinen.{tag}@example.org"
    published = publish_through_workflow(
        platform,
        "Avoin kohtaamispaikka",
        f"piimarker{tag}",
        contact=True,
        person_name=name,
        person_email=email,
    )
    people = [platform.people[r].email for r in ROLES[1:]]
    return published, [name, f"Henkilo{tag}", email, email.split("@")[0], *people]


def leaks(text: str, markers: list[str]) -> list[str]:
    lowered = text.lower()
    return [m for m in markers if m.lower() in lowered]


def readable(answer: httpx.Response) -> str:
    """The text of an answer, opening XLSX workbooks (zip of XML)."""
    if answer.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return answer.text


def crawl(browser: httpx.Client, start: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        answer = browser.get(path, headers={"accept": "text/html"})
        seen[path] = answer.text
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        parser = Links()
        parser.feed(answer.text)
        for href in parser.hrefs:
            url = urlsplit(urljoin(f"http://x{path}", href))
            if url.netloc == "x" and not url.path.startswith(("/static/", "/auth/")):
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return seen


def test_public_pages_search_and_api_show_no_personal_data(
    platform: RunningPlatform, contact: tuple[Published, list[str]]
) -> None:
    published, markers = contact
    found = []
    with platform.browser() as visitor:
        pages = crawl(
            visitor,
            [
                "/",
                f"/actions/{published.action_id}",
                f"/search?q={published.marker}",
                f"/organisations/{platform.ids['A']}",
                "/coverage",
                "/plan",
                "/open-data",
            ],
        )
        assert len(pages) >= 20, sorted(pages)
        assert any(published.marker in t for t in pages.values()), "the action is public"
        api = [
            f"/api/v1/search?q={published.marker}",
            f"/api/v1/actions/{published.action_id}/similar",
            f"/api/v1/suggest?q={published.marker[:6]}",
            "/api/v1/organisations",
            f"/api/v1/organisations/{platform.ids['A']}",
            "/api/v1/coverage",
            "/api/v1/coverage/actions",
            "/api/v1/reports/yearly/2026?format=json",
            "/api/v1/reports/yearly/2026?format=html",
            "/api/v1/open-data",
        ]
        tables = visitor.get("/api/v1/open-data").json()["tables"]
        for table in tables:
            stem, formats = re.fullmatch(r"/open-data/(.+)\.\{(.+)\}", table).groups()  # type: ignore[union-attr]
            api += [f"/api/v1/open-data/{stem}.{f}" for f in formats.split(",")]
        for path in api:
            answer = visitor.get(path)
            assert answer.status_code == 200, (path, answer.text[:200])
            pages[path] = readable(answer)
    assert any(published.marker in t for p, t in pages.items() if "actions." in p), "in open data"
    with platform.browser("member") as owner:
        own = owner.get(f"/api/v1/actions/{published.action_id}").json()
        assert own["content"]["contact_member_id"] == published.member_id, "it has a contact"
    for path, text in pages.items():
        found += [f"{path}: {m}" for m in leaks(text, markers)]
    assert found == [], "\n".join(found)


def test_coordinator_exports_hold_no_contact_details(
    platform: RunningPlatform, contact: tuple[Published, list[str]]
) -> None:
    _, markers = contact
    found = []
    with platform.browser("coordinator") as coordinator:
        index = coordinator.get("/api/v1/exports").json()
        for table in index["tables"]:
            for fmt in index["formats"]:
                answer = coordinator.get(f"/api/v1/exports/{table}.{fmt}")
                assert answer.status_code == 200, (table, fmt)
                found += [f"{table}.{fmt}: {m}" for m in leaks(readable(answer), markers)]
    assert found == [], "\n".join(found)


async def _events(bootstrap: str, topics: tuple[str, ...]) -> list[bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in (consumer.partitions_for_topic(str(topic)) or set())
        ]
        if not partitions:
            await consumer.topics()
            partitions = [
                TopicPartition(topic, p)
                for topic in topics
                for p in (consumer.partitions_for_topic(str(topic)) or set())
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in partitions])

        while await behind():
            batch = await consumer.getmany(timeout_ms=1000)
            values += [m.value for records in batch.values() for m in records if m.value]
        return values
    finally:
        await consumer.stop()


def test_events_on_public_topics_hold_no_personal_data(
    platform: RunningPlatform, contact: tuple[Published, list[str]]
) -> None:
    published, markers = contact
    events = asyncio.run(_events(platform.kafka, PUBLIC_TOPICS))
    text = b"\n".join(events).decode("utf-8", "replace")
    assert published.action_id in text and published.marker in text, "the events were read"
    assert leaks(text, markers) == []
    # The same reading finds the address where it belongs: the internal members topic.
    members = asyncio.run(_events(platform.kafka, (Topic.CATALOGUE_MEMBERS,)))
    assert markers[2] in b"\n".join(members).decode("utf-8", "replace")


def test_discussion_events_name_no_one(platform: RunningPlatform) -> None:
    """Members post, reply, report and hide through the gateway; community.discussion.v1 then
    carries their member ids and texts, never their names or addresses, although every page of
    the discussion shows the names (the members agreed to that when they first posted)."""
    marker = f"discussmarker{uuid.uuid4().hex[:8]}"
    d = discuss(platform, "Hyvä ajatus", marker)
    people = [platform.people[r] for r in ROLES[1:]]
    events = asyncio.run(_events(platform.kafka, (Topic.COMMUNITY_DISCUSSION,)))
    text = b"\n".join(events).decode("utf-8", "replace")
    assert d.thread_id in text and d.hidden_id in text and marker in text, "the events were read"
    assert platform.people["member"].member_id in text
    assert leaks(text, [p.name for p in people] + [p.email for p in people]) == []
    with platform.browser("visitor") as visitor:
        page = visitor.get("/plan/1.1.1/discussion").text
    assert platform.people["member"].name in page and platform.people["outsider"].name in page
    assert all(p.email not in page for p in people)
