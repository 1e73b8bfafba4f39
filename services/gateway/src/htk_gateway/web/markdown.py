"""Action descriptions are Markdown written by members: rendered with raw HTML off, and links
only to the web and to mail, so no user text can become markup of its own."""

import html
import re
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable(["image"])


def _safe_link(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https", "mailto")


_md.validateLink = _safe_link  # type: ignore[method-assign]


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    rendered = _md.render(text)
    # Links leave the platform without telling the other site where the reader came from.
    rendered = rendered.replace("<a href=", '<a rel="nofollow noopener noreferrer" href=')
    return Markup(rendered)  # noqa: S704  # markdown-it escapes text; raw HTML is off


_MARK = re.compile(r"(</?mark>)")


def highlighted(snippet: str | None) -> Markup:
    """A search snippet with only ``<mark>`` kept: everything else is escaped again here, so
    the page never trusts markup from another service."""
    if not snippet:
        return Markup("")
    out: list[str] = []
    for piece in _MARK.split(snippet):
        if piece in ("<mark>", "</mark>"):
            out.append(piece)
        else:
            out.append(html.escape(html.unescape(piece)))
    text = "".join(out)
    # Unbalanced marks would spill highlighting over the page.
    if text.count("<mark>") != text.count("</mark>"):
        text = text.replace("<mark>", "").replace("</mark>", "")
    return Markup(text)  # noqa: S704
