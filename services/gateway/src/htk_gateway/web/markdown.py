"""Action descriptions are Markdown written by members: rendered with raw HTML off, and links
only to the web and to mail, so no user text can become markup of its own."""

import html
import re
from typing import Any
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


# Discussion messages: the same safe rendering, and fewer constructs (no headings, tables or
# rules: a message is a few paragraphs, lists, quotes and code), and every link shows the host
# it leads to, so a link text cannot pass for another site.
_discussion = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_discussion.disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
_discussion.validateLink = _safe_link  # type: ignore[method-assign]


def _link_close_with_host(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    opening = next(t for t in reversed(tokens[:idx]) if t.type == "link_open")
    host = urlsplit(str(opening.attrGet("href") or "")).hostname
    shown = f' <span class="link-host">({html.escape(host)})</span>' if host else ""
    return "</a>" + shown


_discussion.add_render_rule("link_close", _link_close_with_host)


def render_discussion(text: str | None) -> Markup:
    if not text:
        return Markup("")
    rendered = _discussion.render(text)
    rendered = rendered.replace("<a href=", '<a rel="nofollow noopener noreferrer ugc" href=')
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
