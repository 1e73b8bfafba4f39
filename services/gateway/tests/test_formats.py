"""Dates in Finnish time without a made-up midnight, and plural forms, in fi, sv and en."""

from datetime import UTC, date, datetime

import pytest

from htk_gateway.web.formats import day, number, when
from htk_gateway.web.i18n import Translator
from htk_gateway.web.render import env


@pytest.mark.parametrize(
    ("lang", "stamp", "plain"),
    [
        ("fi", "5.12.2026 16.30", "1.3.2026"),
        ("sv", "5 dec. 2026 16:30", "1 mars 2026"),
        ("en", "Dec 5, 2026, 4:30\u202fPM", "Mar 1, 2026"),
    ],
)
def test_times_in_helsinki_and_dates_without_a_time(lang: str, stamp: str, plain: str) -> None:
    utc = datetime(2026, 12, 5, 14, 30, tzinfo=UTC)
    assert when(utc, lang) == stamp
    assert when("2026-12-05T14:30:00Z", lang) == stamp
    assert when("2026-03-01", lang) == plain, "a date has no 00:00"
    assert when(date(2026, 3, 1), lang) == plain
    assert "00" not in day("2026-03-01T00:00:00+00:00", lang)
    # Summer time: UTC+3.
    summer = when(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), lang)
    assert ("3:00" if lang == "en" else "15") in summer


def test_plural_forms() -> None:
    assert Translator("fi").plural("plan.count", 1) == "1 toimenpide"
    assert Translator("fi").plural("plan.count", 2) == "2 toimenpidettä"
    assert Translator("sv").plural("plan.count", 1) == "1 åtgärd"
    assert Translator("sv").plural("plan.count", 0) == "0 åtgärder"
    assert Translator("en").plural("plan.count", 1) == "1 action"
    assert Translator("en").plural("plan.count", 1200) == "1,200 actions"
    assert Translator("fi").plural("plan.count", 1200) == "1\xa0200 toimenpidettä"
    assert number(1234567, "sv") == "1\xa0234\xa0567"


def test_the_template_filter_follows_the_page_language() -> None:
    template = env.from_string("{{ value | date }}")
    assert template.render(value="2026-03-01", lang="sv") == "1 mars 2026"
    assert template.render(value="2026-12-05T14:30:00+00:00", lang="fi") == "5.12.2026 16.30"
    assert env.from_string("{{ n | number }}").render(n=1234, lang="en") == "1,234"
    assert env.from_string("{{ n | number }}").render(n=1234, lang="sv") == "1\xa0234"
