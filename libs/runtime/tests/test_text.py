"""Public text: cleaned once to a fixed point, never live markup, hidden characters refused."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from htk_runtime.text import clean_text, public_text

# What a browser reads as the start of a tag, a comment or a declaration, or an entity.
LIVE_MARKUP = re.compile(r"<[A-Za-z/!?]|&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")

# Fragments that build markup and escaped markup of any depth, mixed with ordinary text.
fragments = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&lt;",
        "&gt;",
        "&amp;",
        "&#60;",
        "&#x3c;",
        "script",
        "img src=x onerror=alert(1)",
        "/",
        "!--",
        "b",
        "lt;",
        "amp;",
        ";",
        '"',
        "'",
        " ",
        "Kerho",
        "ä",
        "=",
    ]
)
marked_up = st.lists(fragments | st.text(max_size=5), max_size=30).map("".join)


@given(marked_up)
def test_cleaning_twice_equals_cleaning_once(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@given(marked_up)
def test_cleaned_text_holds_no_live_markup(text: str) -> None:
    assert not LIVE_MARKUP.search(clean_text(text)), clean_text(text)


def test_escaped_markup_does_not_come_back_alive() -> None:
    # One pass of the old cleaner turned each of these into live HTML.
    for crafted in (
        "&lt;script&gt;alert(1)&lt;/script&gt;Kerho",
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;Kerho",
        "&#60;b&#62;Kerho",
    ):
        assert clean_text(crafted) == "Kerho", crafted
    assert clean_text("R&amp;D ja a < b") == "R&D ja a < b", "text keeps its characters"


@pytest.mark.parametrize(
    "text",
    [
        "Kerho\u202enuorille",  # right-to-left override
        "Kerho\u2066x\u2069",  # isolate
        "Kerho\x00",
        "Kerho\x1b[31m",
        "\u200b\u200b\u200b",  # zero-width spaces
        "\u3164",  # a blank letter
        "Kerho&#x202e;nuorille",  # an entity that decodes to an override
        "Kerho\u2028nuorille",
    ],
)
def test_hidden_characters_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="invisible"):
        public_text(text)


def test_ordinary_text_passes() -> None:
    text = "Nuorten kerho 👩\u200d👩\u200d👧 Åbo\tja\nHelsinki"
    assert public_text(text) == text
