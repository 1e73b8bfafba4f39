"""Text that people type and everyone reads: cleaned once, to a fixed point, and refused when it
hides characters.

Cleaning strips HTML and turns entities into the characters they stand for. One pass is not
enough: ``&lt;script&gt;`` comes out of one pass as ``<script>``, live markup, and a second pass
(a publish that validates the stored draft again) peels the next layer. ``clean_text`` repeats
the pass until nothing changes, so its result is a fixed point: cleaning it again changes
nothing, and it holds no tag, comment or entity a browser would read as markup. Every pass only
removes markup or shortens an entity, so the loop ends.

Control and format characters are refused rather than removed: a right-to-left override makes a
title read differently from what it says, NUL breaks consumers written in C, and a name made of
zero-width spaces looks empty. The refusal is a ``ValueError`` of its own type
(``hidden_characters``), which pydantic reports as a 422 naming the field and the type, so a form
can explain it without reading the English text.
"""

import html
import unicodedata
from typing import Annotated

import nh3
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# Joiners keep emoji sequences and some scripts whole; a soft hyphen only marks where a word may
# break. They stay, but text made only of them (and spaces) is refused as invisible.
_ALLOWED_FORMAT = {"\u00ad", "\u200c", "\u200d"}
_ALLOWED_CONTROL = {"\t", "\n", "\r"}
# Characters that render as nothing although they are letters or symbols: used for blank names.
_INVISIBLE = _ALLOWED_FORMAT | {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Unicode categories refused: control, format, surrogate, line and paragraph separator.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


# The error type of every refusal of hidden characters (``errors[].type``), so that a form can
# tell it from the field's other refusals and explain it in the reader's language.
HIDDEN_CHARACTERS = "hidden_characters"


def hidden_character(value: str) -> str | None:
    """The first character that must not appear in public text, or None."""
    for ch in value:
        if ch in _ALLOWED_CONTROL or ch in _ALLOWED_FORMAT:
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return ch
    return None


def check_visible(value: str) -> str:
    """Refuse control and format characters and text that has characters but shows none."""
    ch = hidden_character(value)
    if ch is not None:
        name = unicodedata.name(ch, "control character")
        raise PydanticCustomError(
            HIDDEN_CHARACTERS,
            "contains an invisible or control character {code} ({name})",
            {"code": f"U+{ord(ch):04X}", "name": name},
        )
    if value and all(c.isspace() or c in _INVISIBLE for c in value):
        raise PydanticCustomError(HIDDEN_CHARACTERS, "contains only invisible characters")
    return value


def _one_pass(value: str) -> str:
    return html.unescape(nh3.clean(value, tags=set())).strip()


def clean_text(value: str) -> str:
    """Plain text from what was typed: no HTML, entities as characters, to a fixed point."""
    current = value.strip()
    # Each pass removes markup or shortens an entity, so the length bounds the passes; the
    # bound only guards against a sanitiser that would one day grow its input.
    for _ in range(len(current) + 1):
        cleaned = _one_pass(current)
        if cleaned == current:
            return cleaned
        current = cleaned
    raise ValueError("could not be cleaned of markup")


def public_text(value: str) -> str:
    """Check what was typed, clean it, and check again: entities may hide control characters."""
    check_visible(value)
    return check_visible(clean_text(value))


PublicText = Annotated[str, AfterValidator(public_text)]
"""Plain text shown to the public: markup removed to a fixed point, hidden characters refused."""

VisibleText = Annotated[str, AfterValidator(check_visible)]
"""Text kept as typed (Markdown, names) in which hidden characters are refused."""
