"""iCalendar (RFC 5545) for one event or a feed of them.

Times are written in Finnish time with ``TZID=Europe/Helsinki`` and the zone's definition
(``VTIMEZONE``, the EU rules Finland follows since 1996), so a calendar shows the hour the
page shows; ``DTSTAMP`` and ``LAST-MODIFIED`` are UTC as the RFC requires. The ``UID`` is the
event id at the platform's host: stable across edits, so importing an updated file replaces
the event instead of adding a second one (``SEQUENCE`` tells which is newer). Lines end in
CRLF and are folded at 75 octets without splitting a UTF-8 character (RFC 5545 3.1); text
values escape backslash, semicolon, comma and newlines (3.3.11).
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")
PRODID = "-//HTK Hyvinvointia kaikille 2030//Community events//EN"

VTIMEZONE_HELSINKI = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Helsinki",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0300",
    "TZNAME:EEST",
    "DTSTART:19700329T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0300",
    "TZOFFSETTO:+0200",
    "TZNAME:EET",
    "DTSTART:19701025T040000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded to at most 75 octets per physical line."""
    out: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
            limit = 74  # the continuation's leading space counts
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(HELSINKI).strftime("%Y%m%dT%H%M%S")


def _vevent(event: dict[str, Any], host: str, page_url: str) -> list[str]:
    url = page_url.format(id=event["event_id"])
    description = [event.get("description") or ""]
    description.append(f"{event['organiser']}")
    if event.get("online_url"):
        description.append(event["online_url"])
    if event.get("registration_url"):
        description.append(event["registration_url"])
    if event.get("materials_url"):
        description.append(event["materials_url"])
    description.append(url)
    location = event.get("place") or event.get("online_url") or ""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event['event_id']}@{host}",
        f"DTSTAMP:{_utc(event['updated_at'])}",
        f"LAST-MODIFIED:{_utc(event['updated_at'])}",
        f"SEQUENCE:{max(int(event.get('version', 1)) - 1, 0)}",
        f"DTSTART;TZID=Europe/Helsinki:{_local(event['starts_at'])}",
        f"DTEND;TZID=Europe/Helsinki:{_local(event['ends_at'])}",
        f"SUMMARY;LANGUAGE={event['language']}:{escape_text(event['title'])}",
        f"DESCRIPTION:{escape_text(chr(10).join(d for d in description if d))}",
        f"CATEGORIES:{escape_text(event['event_kind'])}",
        f"URL:{url}",
        "STATUS:CANCELLED" if event.get("state") == "cancelled" else "STATUS:CONFIRMED",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[dict[str, Any]], *, host: str, page_url: str, name: str | None = None
) -> bytes:
    """A VCALENDAR of ``events`` (stored events); ``page_url`` is formatted with each id."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    lines.append("X-WR-TIMEZONE:Europe/Helsinki")
    lines.extend(VTIMEZONE_HELSINKI)
    for event in events:
        lines.extend(_vevent(event, host, page_url))
    lines.append("END:VCALENDAR")
    return ("".join(fold(line) + "\r\n" for line in lines)).encode("utf-8")
