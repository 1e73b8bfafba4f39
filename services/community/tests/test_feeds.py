"""The Atom and iCalendar writers on their own: valid documents, escaping, folding, times."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest

from htk_community.events.ical import calendar, escape_text, fold
from htk_community.news.atom import ATOM, XML_LANG, FeedInfo, atom_feed
from htk_community.news.rules import check_texts, shown_text
from htk_runtime.errors import DomainError

A = f"{{{ATOM}}}"


def parse_ics(raw: bytes) -> list[tuple[str, dict[str, str], str]]:
    """A strict small RFC 5545 reader: CRLF lines of at most 75 octets, unfolded, split into
    (name, parameters, value); refuses what a calendar program would."""
    assert raw.endswith(b"\r\n")
    physical = raw.split(b"\r\n")[:-1]
    for line in physical:
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line
    text = raw.decode("utf-8")
    logical = text.replace("\r\n ", "").split("\r\n")[:-1]
    out = []
    for line in logical:
        head, sep, value = line.partition(":")
        assert sep, line
        name, *params = head.split(";")
        assert name and name.upper() == name, line
        out.append((name, dict(p.split("=", 1) for p in params), value))
    # Components open and close in order.
    stack: list[str] = []
    for name, _, value in out:
        if name == "BEGIN":
            stack.append(value)
        elif name == "END":
            assert stack.pop() == value
    assert not stack
    return out


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            assert value[i] not in ";,", value  # unescaped separators in a TEXT value
            out.append(value[i])
            i += 1
    return "".join(out)


def _event(**over: object) -> dict:
    event = {
        "event_id": "e-123",
        "version": 3,
        "event_kind": "webinar",
        "title": "Hyvinvointikertomus; osa 2, käytännössä",
        "description": "Rivi yksi\nRivi kaksi \\ kenoviiva, " + "pitkä teksti äöå " * 20,
        "language": "fi",
        "starts_at": datetime(2027, 3, 28, 10, 0, tzinfo=UTC),  # the day EEST begins
        "ends_at": datetime(2027, 3, 28, 12, 30, tzinfo=UTC),
        "place": "",
        "online_url": "https://example.org/webinaari?a=1&b=2",
        "organiser": "THL",
        "registration_url": "https://example.org/ilmo",
        "materials_url": None,
        "state": "announced",
        "updated_at": datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC),
    }
    event.update(over)
    return event


def test_an_event_is_valid_icalendar_with_finnish_times_and_a_stable_uid() -> None:
    raw = calendar([_event()], host="htk.example", page_url="https://htk.example/events/{id}")
    lines = parse_ics(raw)
    names = [n for n, _, _ in lines]
    assert names[:2] == ["BEGIN", "VERSION"] and names[-1] == "END"
    props = {n: (p, v) for n, p, v in lines}
    assert props["UID"][1] == "e-123@htk.example"
    # 10:00 UTC on 28 March 2027 is 13:00 in Helsinki (summer time began at 03:00 that day).
    assert props["DTSTART"] == ({"TZID": "Europe/Helsinki"}, "20270328T130000")
    assert props["DTEND"] == ({"TZID": "Europe/Helsinki"}, "20270328T153000")
    assert props["DTSTAMP"][1] == "20270102T030405Z"
    assert props["SEQUENCE"][1] == "2"
    assert any(n == "TZID" and v == "Europe/Helsinki" for n, _, v in lines)  # its VTIMEZONE
    assert unescape(props["SUMMARY"][1]) == "Hyvinvointikertomus; osa 2, käytännössä"
    description = unescape(props["DESCRIPTION"][1])
    assert description.startswith("Rivi yksi\nRivi kaksi \\ kenoviiva, ")
    assert "https://example.org/ilmo" in description
    assert props["LOCATION"][1] == "https://example.org/webinaari?a=1&b=2"
    # The same event again gives the same UID: a calendar replaces it rather than adding one.
    again = calendar([_event(title="Uusi")], host="htk.example", page_url="x/{id}")
    assert b"UID:e-123@htk.example\r\n" in again


def test_a_winter_event_is_two_hours_ahead_and_a_cancelled_one_says_so() -> None:
    raw = calendar(
        [_event(starts_at=datetime(2027, 1, 15, 8, tzinfo=UTC), state="cancelled")],
        host="h",
        page_url="{id}",
    )
    props = {n: v for n, _, v in parse_ics(raw)}
    assert props["DTSTART"] == "20270115T100000"
    assert props["STATUS"] == "CANCELLED"


def test_folding_never_splits_a_character_and_unfolds_to_the_line() -> None:
    line = "DESCRIPTION:" + "ä" * 100 + "x" * 50
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def _news(news_id: str, texts: dict, day: int) -> dict:
    when = datetime(2027, 2, day, 9, tzinfo=UTC)
    return {"news_id": news_id, "texts": texts, "published_at": when, "updated_at": when}


def test_the_atom_feed_is_valid_and_marks_entries_in_another_language() -> None:
    info = FeedInfo(
        lang="sv",
        title="Nyheter",
        subtitle="HTK",
        author="HTK",
        self_url="https://h.example/news/feed.sv.atom",
        page_url="https://h.example/news?lang=sv",
        item_url="https://h.example/news/{id}?lang=sv",
        feed_id="https://h.example/news/feed.sv.atom",
    )
    items = [
        _news(
            "11111111-1111-1111-1111-111111111111", {"fi": {"title": "Vain <suomeksi> & näin"}}, 3
        ),
        _news(
            "22222222-2222-2222-2222-222222222222",
            {"fi": {"title": "Suomeksi"}, "sv": {"title": "På svenska", "body": "Text **fet**"}},
            2,
        ),
    ]
    root = ET.fromstring(atom_feed(info, items))  # noqa: S314  # our own output
    assert root.tag == A + "feed" and root.get(XML_LANG) == "sv"
    for required in ("id", "title", "updated", "author"):
        assert root.find(A + required) is not None
    entries = root.findall(A + "entry")
    assert [e.findtext(A + "title") for e in entries] == ["Vain <suomeksi> & näin", "På svenska"]
    assert [e.get(XML_LANG) for e in entries] == ["fi", "sv"]
    assert entries[0].findtext(A + "id") == "urn:uuid:11111111-1111-1111-1111-111111111111"
    assert root.findtext(A + "updated") == "2027-02-03T09:00:00Z"
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(A + required) is not None


def test_a_reader_gets_their_language_or_a_marked_fallback() -> None:
    texts = {"fi": {"title": "Otsikko"}, "en": {"title": "Title"}}
    assert shown_text(texts, "en").language == "en" and not shown_text(texts, "en").fallback
    sv = shown_text(texts, "sv")
    assert sv.language == "fi" and sv.fallback and sv.text["title"] == "Otsikko"
    assert shown_text({"en": {"title": "Only"}}, "sv").language == "en"


def test_news_needs_a_title_in_each_language_it_is_written_in() -> None:
    with pytest.raises(DomainError) as empty:
        check_texts({"fi": {"title": "", "summary": "", "body": ""}})
    assert empty.value.errors[0]["field"] == "texts.fi.title"
    with pytest.raises(DomainError) as untitled:
        check_texts({"fi": {"title": "Otsikko"}, "sv": {"title": " ", "summary": "Text"}})
    assert [e["field"] for e in untitled.value.errors] == ["texts.sv.title"]
    check_texts({"en": {"title": "Fine"}})


def test_helsinki_conversion_of_form_times() -> None:
    from htk_community.events.rules import as_utc

    assert as_utc(datetime(2027, 7, 1, 12, 0)) == datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    aware = datetime(2027, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    assert as_utc(aware).hour == 9
