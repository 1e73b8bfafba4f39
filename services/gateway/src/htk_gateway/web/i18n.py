"""Finnish, Swedish and English for every page: message catalogues and the reader's language.

The language is the one the reader chose (``?lang=`` sets a cookie that remembers it), else the
member's own, else the browser's Accept-Language, else Finnish.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"
COOKIE = "htk_lang"
MESSAGES_DIR = Path(__file__).parent.parent / "messages"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """``messages/<lang>.json`` and every ``messages/<area>/<lang>.json``: one file per area of
    the site, so that work on one area never edits another's messages. A key defined twice is
    an error, found at start-up and by the catalogue test."""
    messages: dict[str, str] = json.loads((MESSAGES_DIR / f"{lang}.json").read_text("utf-8"))
    for path in sorted(MESSAGES_DIR.glob(f"*/{lang}.json")):
        area: dict[str, str] = json.loads(path.read_text("utf-8"))
        twice = sorted(set(area) & set(messages))
        if twice:
            raise ValueError(f"{path}: keys defined twice: {twice}")
        messages.update(area)
    return messages


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self.messages = catalogue(self.lang)

    def __call__(self, key: str, **values: Any) -> str:
        # A missing key shows itself rather than silently falling back to another language;
        # the catalogue test keeps that from reaching anyone.
        text = self.messages.get(key) or catalogue(DEFAULT).get(key) or key
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: Any) -> str:
        """``key.one`` or ``key.other`` (as CLDR's rules pick for this language), with
        ``{count}`` written as the language writes numbers."""
        from htk_gateway.web.formats import number, plural_form

        form = f"{key}.{plural_form(count, self.lang)}"
        chosen = form if self.has(form) else f"{key}.other"
        return self(chosen, count=number(count, self.lang), **values)

    def has(self, key: str) -> bool:
        return key in self.messages

    def name(self, names: dict[str, Any] | None) -> str:
        """The name in this language from ``{"fi", "sv", "en"}`` (or ``name_fi``... fields)."""
        if not names:
            return ""
        for key in (self.lang, f"name_{self.lang}", "fi", "name_fi"):
            if names.get(key):
                return str(names[key])
        return ""


def _accepted(header: str) -> str | None:
    ranked: list[tuple[float, str]] = []
    for part in header.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((quality, tag.strip().lower()[:2]))
    for _, code in sorted(ranked, key=lambda r: -r[0]):
        if code in LANGUAGES:
            return code
    return None


def chosen_language(request: Request) -> str | None:
    """The language asked for in this request (``?lang=``), to be remembered in a cookie."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else None


def language_of(request: Request, member_language: str | None = None) -> str:
    asked = chosen_language(request)
    if asked:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return remembered
    if member_language in LANGUAGES:
        return str(member_language)
    return _accepted(request.headers.get("accept-language", "")) or DEFAULT
