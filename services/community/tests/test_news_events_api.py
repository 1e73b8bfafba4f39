"""News and events through the community service's API, on the embedded broker and database:
who may write, the language fallback, keyset pages, the filters, the Atom and iCalendar
answers, and that every change leaves its event in the outbox (sent by the relay) with no
member in it."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from htk_community.main import create_service
from htk_runtime.service import Service
from htk_testing.runtime import eventually, running, user_headers

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
async def community(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    monkeypatch.setenv("HTK_PUBLIC_URL", "https://htk.example.fi")
    svc = create_service()
    async with running(svc.app()) as client:
        yield svc, client


@pytest.fixture
def who(token_keys: tuple[str, str]) -> dict[str, dict[str, str]]:
    key = token_keys[0]
    return {
        "visitor": {},
        "coordinator": user_headers(key, member_id="c1", coordinator=True),
        "member": user_headers(key, member_id="m1", organisations={"o1": "member"}),
        "other": user_headers(key, member_id="m2", organisations={"o2": "member"}),
        "reader": user_headers(key, member_id="t1", organisations={"o1": "member"}, read_only=True),
    }


def _event(**over: Any) -> dict[str, Any]:
    start = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    body = {
        "event_kind": "webinar",
        "title": "Hyvinvointikertomus kunnissa",
        "description": "Miten kertomus tehdään.",
        "language": "fi",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "online_url": "https://example.org/webinaari",
        "organiser": "THL",
        "organisation_id": "o1",
        "organisation_types": ["municipality"],
        "counties": ["06"],
        "sub_goals": ["1.1"],
        "registration_url": "https://example.org/ilmo",
    }
    return {**body, **over}


async def _outbox(svc: Service) -> list[dict[str, Any]]:
    return [d async for d in svc.ctx().db["outbox"].find({}).sort("_id", 1)]


async def test_coordinators_publish_news_readers_get_their_language_or_a_marked_one(
    community: tuple[Service, httpx.AsyncClient], who: dict[str, dict[str, str]]
) -> None:
    svc, client = community
    body = {"texts": {"fi": {"title": "Uutinen", "summary": "Lyhyesti"}}, "sub_goals": ["1.1"]}
    for role, status in (("visitor", 401), ("member", 403)):
        refused = await client.post("/news", json=body, headers=who[role])
        assert refused.status_code == status, role
    untitled = await client.post(
        "/news",
        json={"texts": {"fi": {"title": "Otsikko"}, "sv": {"summary": "Bara text"}}},
        headers=who["coordinator"],
    )
    assert untitled.status_code == 422
    assert untitled.json()["errors"][0]["field"] == "texts.sv.title"

    made = await client.post("/news", json=body, headers=who["coordinator"])
    assert made.status_code == 201, made.text
    news_id = made.json()["news_id"]
    sv = (await client.get(f"/news/{news_id}", params={"lang": "sv"})).json()
    assert (sv["language"], sv["fallback"], sv["title"]) == ("fi", True, "Uutinen")
    edited = await client.put(
        f"/news/{news_id}",
        json={"texts": {**body["texts"], "sv": {"title": "Nyhet"}}, "sub_goals": []},
        headers=who["coordinator"],
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    sv = (await client.get(f"/news/{news_id}", params={"lang": "sv"})).json()
    assert (sv["language"], sv["fallback"], sv["title"]) == ("sv", False, "Nyhet")

    # The Atom feed in Swedish has it, and the feed in English shows it marked as Finnish...
    feed = await client.get("/news/feed.en.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)  # noqa: S314  # our own service's answer
    (entry,) = root.findall(ATOM + "entry")
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "fi"
    assert entry.findtext(ATOM + "id") == f"urn:uuid:{news_id}"
    link = entry.find(ATOM + "link")
    assert link is not None and link.get("href") == f"https://htk.example.fi/news/{news_id}?lang=en"
    assert (await client.get("/news/feed.de.atom")).status_code == 404

    # ... until it is withdrawn: gone from the list, the item and the feed.
    gone = await client.post(f"/news/{news_id}/withdraw", headers=who["coordinator"])
    assert gone.status_code == 200
    assert (await client.get(f"/news/{news_id}")).status_code == 404
    assert (await client.get("/news")).json()["items"] == []

    # Each change is an event in the outbox, carrying no member, and the relay sends them.
    kinds = [d["event"]["type"] for d in await _outbox(svc)]
    assert kinds == [
        "fi.htk.news.published.v1",
        "fi.htk.news.updated.v1",
        "fi.htk.news.withdrawn.v1",
    ]
    assert all(d["topic"] == "community.news.v1" for d in await _outbox(svc))
    # Compared value by value: "c1" may well occur inside a random id.
    values = _strings([d["event"]["data"] for d in await _outbox(svc)])
    assert "c1" not in values

    async def all_sent() -> bool:
        return all(d["sent_at"] is not None for d in await _outbox(svc))

    await eventually(all_sent, timeout=60)


async def test_the_news_archive_pages_with_cursors_newest_first(
    community: tuple[Service, httpx.AsyncClient], who: dict[str, dict[str, str]]
) -> None:
    _, client = community
    for i in range(5):
        made = await client.post(
            "/news", json={"texts": {"en": {"title": f"News {i}"}}}, headers=who["coordinator"]
        )
        assert made.status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "lang": "en"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/news", params=params)).json()
        seen += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"News {i}" for i in range(4, -1, -1)]
    assert (await client.get("/news", params={"cursor": "!!"})).status_code == 422
    assert (await client.get("/news", params={"limit": 1000})).status_code == 422


async def test_members_announce_events_for_their_organisation_and_the_list_filters(
    community: tuple[Service, httpx.AsyncClient], who: dict[str, dict[str, str]]
) -> None:
    svc, client = community
    assert (await client.post("/events", json=_event(), headers={})).status_code == 401
    assert (await client.post("/events", json=_event(), headers=who["other"])).status_code == 403
    assert (await client.post("/events", json=_event(), headers=who["reader"])).status_code == 403
    bad = await client.post(
        "/events",
        json=_event(online_url=None, place="", registration_url="javascript:alert(1)"),
        headers=who["member"],
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["registration_url"]
    backwards = await client.post(
        "/events",
        json=_event(ends_at=_event()["starts_at"], online_url=None, place=""),
        headers=who["member"],
    )
    assert {e["field"] for e in backwards.json()["errors"]} == {"ends_at", "place"}

    mine = await client.post("/events", json=_event(), headers=who["member"])
    assert mine.status_code == 201, mine.text
    event_id = mine.json()["event_id"]
    # A national event for every kind of organisation, in Finnish time without an offset.
    national = await client.post(
        "/events",
        json=_event(
            title="Verkostopäivä",
            event_kind="network_day",
            organisation_id=None,
            organisation_types=[],
            counties=[],
            sub_goals=["2.1"],
            starts_at="2027-06-01T09:00",
            ends_at="2027-06-01T15:00",
            online_url=None,
            place="Säätytalo, Helsinki",
        ),
        headers=who["coordinator"],
    )
    assert national.status_code == 201, national.text
    assert national.json()["starts_at"].startswith("2027-06-01T06:00:00")  # 09:00 EEST in UTC

    async def titles(**filters: str) -> list[str]:
        answer = await client.get("/events", params=filters)
        assert answer.status_code == 200, answer.text
        return [e["title"] for e in answer.json()["items"]]

    both = ["Hyvinvointikertomus kunnissa", "Verkostopäivä"]
    assert await titles() == both
    assert await titles(organisation_type="municipality", county="06") == both
    assert await titles(organisation_type="ngo") == ["Verkostopäivä"]
    assert await titles(county="01") == ["Verkostopäivä"]
    assert await titles(sub_goal="1.1") == ["Hyvinvointikertomus kunnissa"]
    assert (await client.get("/events", params={"county": "x"})).status_code == 422
    assert (await client.get("/events", params={"organisation_type": "x"})).status_code == 422

    # Another organisation's member cannot change it; its own member adds the materials.
    changed = _event(materials_url="https://example.org/tallenne")
    assert (
        await client.put(f"/events/{event_id}", json=changed, headers=who["other"])
    ).status_code == 403
    saved = await client.put(f"/events/{event_id}", json=changed, headers=who["member"])
    assert saved.status_code == 200 and saved.json()["materials_url"].endswith("tallenne")

    ics = await client.get(f"/events/{event_id}.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "attachment" in ics.headers["content-disposition"]
    text = ics.content.decode()
    assert "\r\nUID:" + event_id + "@htk.example.fi\r\n" in text
    assert "SEQUENCE:1\r\n" in text
    feed = (await client.get("/events/feed.ics", params={"organisation_type": "ngo"})).text
    assert feed.count("BEGIN:VEVENT") == 1 and "Verkostop" in feed

    cancelled = await client.post(f"/events/{event_id}/cancel", headers=who["member"])
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert await titles() == ["Verkostopäivä"]
    assert (
        await client.post(f"/events/{event_id}/cancel", headers=who["member"])
    ).status_code == 409

    types = [d["event"]["type"] for d in await _outbox(svc)]
    assert types == [
        "fi.htk.community_event.announced.v1",
        "fi.htk.community_event.announced.v1",
        "fi.htk.community_event.updated.v1",
        "fi.htk.community_event.cancelled.v1",
    ]
    published = json.dumps([d["event"]["data"] for d in await _outbox(svc)])
    assert '"m1"' not in published and '"c1"' not in published


async def test_past_events_keep_their_materials_link(
    community: tuple[Service, httpx.AsyncClient], who: dict[str, dict[str, str]]
) -> None:
    svc, client = community
    made = await client.post(
        "/events",
        json=_event(materials_url="https://example.org/slides"),
        headers=who["member"],
    )
    event_id = made.json()["event_id"]
    # The event took place: its times moved to last week in the database.
    last_week = datetime.now(UTC) - timedelta(days=7)
    await (
        svc.ctx()
        .db["community_events"]
        .update_one(
            {"_id": event_id},
            {"$set": {"starts_at": last_week, "ends_at": last_week + timedelta(hours=1)}},
        )
    )
    assert (await client.get("/events")).json()["items"] == []
    (past,) = (await client.get("/events", params={"past": "true"})).json()["items"]
    assert past["past"] is True and past["materials_url"] == "https://example.org/slides"


def _strings(data: object) -> set[str]:
    """Every string (keys and values) anywhere in ``data``."""
    if isinstance(data, dict):
        return {str(k) for k in data} | {s for v in data.values() for s in _strings(v)}
    if isinstance(data, list):
        return {s for v in data for s in _strings(v)}
    return {data} if isinstance(data, str) else set()
