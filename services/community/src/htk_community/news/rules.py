"""Which language a reader sees of a news item, and what a news item must contain."""

from dataclasses import dataclass
from typing import Any

from htk_runtime.errors import DomainError

LANGUAGES = ("fi", "sv", "en")

# A reader of a language the item lacks gets the official languages first (Finnish, then
# Swedish), English last; a Swedish reader gets Finnish before English, as the plan's
# readers in Finland would.
FALLBACKS = {"fi": ("fi", "sv", "en"), "sv": ("sv", "fi", "en"), "en": ("en", "fi", "sv")}


@dataclass(frozen=True)
class Shown:
    """The text a reader of ``asked`` sees: in ``language``, which differs from the one asked
    for when the item lacks it (the page says so, and marks the text with its language)."""

    asked: str
    language: str
    text: dict[str, Any]

    @property
    def fallback(self) -> bool:
        return self.asked != self.language


def shown_text(texts: dict[str, Any], asked: str) -> Shown:
    order = FALLBACKS.get(asked, FALLBACKS["fi"])
    for code in order:
        text = texts.get(code)
        if text and text.get("title"):
            return Shown(asked if asked in FALLBACKS else "fi", code, dict(text))
    raise ValueError("a news item without any text")  # refused when it was written


def check_texts(texts: dict[str, Any]) -> None:
    """At least one language, and every language given has its title: a summary or body
    without a title would be a text no list could show."""
    given = {code: t for code, t in texts.items() if t and any(str(v).strip() for v in t.values())}
    if not given:
        raise DomainError(
            422, "Write the news in at least one language: a title is needed", "texts.fi.title"
        )
    missing = [code for code, t in given.items() if not str(t.get("title") or "").strip()]
    if missing:
        raise DomainError(
            422,
            "A language with a summary or body needs its title",
            errors=[
                {"field": f"texts.{code}.title", "message": "Title missing", "type": "missing"}
                for code in missing
            ],
        )
