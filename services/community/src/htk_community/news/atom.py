"""An Atom 1.0 feed (RFC 4287) of the news in one language.

Built with ElementTree so that every text is escaped by the XML writer, never by hand. An entry
the language lacks is included in the language it has, marked with ``xml:lang`` (the reader's
feed program can tell, as the page does). Ids are ``urn:uuid:`` of the news id, which never
changes, so a feed reader never shows an item twice after an edit.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from htk_community.news.rules import shown_text

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class FeedInfo:
    lang: str
    title: str
    subtitle: str
    author: str
    self_url: str
    page_url: str
    # Where one item is read: formatted with its id.
    item_url: str
    feed_id: str


def _rfc3339(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(info: FeedInfo, items: Iterable[dict[str, Any]]) -> bytes:
    """The feed as UTF-8 XML; ``items`` newest first, each a stored news item."""
    items = list(items)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: info.lang})
    _add(feed, "id", info.feed_id)
    _add(feed, "title", info.title)
    _add(feed, "subtitle", info.subtitle)
    newest = max((i["updated_at"] for i in items), default=datetime(2026, 1, 1, tzinfo=UTC))
    _add(feed, "updated", _rfc3339(newest))
    author = _add(feed, "author")
    _add(author, "name", info.author)
    _add(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=info.page_url)
    _add(feed, "generator", "HTK")
    for item in items:
        shown = shown_text(item["texts"], info.lang)
        entry = _add(feed, "entry", **{XML_LANG: shown.language})
        _add(entry, "id", f"urn:uuid:{item['news_id']}")
        _add(entry, "title", shown.text["title"], type="text")
        _add(entry, "published", _rfc3339(item["published_at"]))
        _add(entry, "updated", _rfc3339(item["updated_at"]))
        url = info.item_url.format(id=item["news_id"])
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        summary = shown.text.get("summary") or shown.text.get("body") or shown.text["title"]
        _add(entry, "summary", summary[:600], type="text")
        if shown.text.get("body"):
            # The body's Markdown as plain text: a feed program renders no Markdown, and
            # sending our HTML would need it sanitised twice.
            _add(entry, "content", shown.text["body"], type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
