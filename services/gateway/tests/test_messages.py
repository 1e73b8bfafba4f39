"""Every page speaks Finnish, Swedish and English: the message catalogues are complete, the
Swedish and English ones are translated, and the templates hold no text of their own."""

import re
from pathlib import Path

import pytest

from htk_gateway.web.i18n import LANGUAGES, MESSAGES_DIR, catalogue
from htk_gateway.web.render import TEMPLATES

# Strings that are the same in every language by nature: names of languages written in
# themselves, a proper noun, and messages that are only a placeholder.
IDENTICAL_BY_NATURE = {"lang.fi", "lang.sv", "lang.en", "action.innokyla"}
# Words that may stay the same in a translation: the check is for whole messages.
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_every_language_has_every_key() -> None:
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    for lang in LANGUAGES:
        assert keys[lang] == keys["fi"], (
            f"{lang}: missing {sorted(keys['fi'] - keys[lang])}, "
            f"extra {sorted(keys[lang] - keys['fi'])}"
        )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_swedish_and_english_are_translated(lang: str) -> None:
    fi, other = catalogue("fi"), catalogue(lang)
    untranslated = sorted(
        k for k, text in other.items() if text == fi[k] and k not in IDENTICAL_BY_NATURE
    )
    assert untranslated == []
    empty = sorted(k for k, text in other.items() if not text.strip())
    assert empty == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_finnish(lang: str) -> None:
    fi, other = catalogue("fi"), catalogue(lang)
    for key, text in other.items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(fi[key])), key


def _keys_used() -> set[str]:
    sources = [*TEMPLATES.glob("*.html"), *Path(TEMPLATES.parent).glob("*.py")]
    used: set[str] = set()
    for path in sources:
        text = path.read_text("utf-8")
        used |= set(re.findall(r"\bt\(\s*['\"]([a-z_]+\.[a-z_.0-9]+)['\"]\s*[,)]", text))
    return used


def test_every_key_the_pages_use_exists() -> None:
    missing = sorted(_keys_used() - set(catalogue("fi")))
    assert missing == []


JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
# File formats are names, the same in every language; the field macro writes attributes.
NOT_PROSE = {"CSV", "XLSX", "aria", "describedby", "invalid", "true"}
TEXT_ATTRIBUTES = re.compile(r'\b(aria-label|title|alt|placeholder)="([^"]*)"')


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_have_no_text_outside_the_catalogues(template: str) -> None:
    source = (TEMPLATES / template).read_text("utf-8")
    for name, value in TEXT_ATTRIBUTES.findall(source):
        assert "{{" in value, f"{template}: {name}={value!r} is not translated"
    # <script>, <svg> drawing instructions and <style> hold no visible prose.
    body = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S)
    text = ENTITY.sub("", TAG.sub(" ", JINJA.sub(" ", body)))
    leftover = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w not in NOT_PROSE]
    assert leftover == [], f"{template}: text outside the catalogues: {leftover[:10]}"


def test_the_catalogues_are_valid_utf8_json_files() -> None:
    assert sorted(p.stem for p in MESSAGES_DIR.glob("*.json")) == sorted(LANGUAGES)
