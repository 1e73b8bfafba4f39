"""Dates, times and numbers as the reader's language writes them, in Finnish time.

Every time is shown in Europe/Helsinki whatever the server's zone; a date without a time (an
action's start or end, ``2026-03-01``) is shown as a date, never with a made-up "00:00".
Babel carries the locales' patterns (fi ``5.12.2026 16.30``, sv ``5 dec. 2026 16:30``,
en ``Dec 5, 2026, 4:30 PM``) and their plural rules.
"""

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

HELSINKI = ZoneInfo("Europe/Helsinki")


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def when(value: Any, lang: str) -> str:
    """A date, or a date and time in Helsinki, in ``lang``."""
    value = _parsed(value)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(HELSINKI)
        pattern = Locale.parse(lang).datetime_formats["medium"]
        return str(pattern).format(
            format_time(local, "short", locale=lang), format_date(local, "medium", locale=lang)
        )
    if isinstance(value, date):
        return format_date(value, "medium", locale=lang)
    return str(value)


def day(value: Any, lang: str) -> str:
    """Only the date (in Helsinki, for a time)."""
    value = _parsed(value)
    if isinstance(value, datetime):
        local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(HELSINKI)
        return format_date(local.date(), "medium", locale=lang)
    return when(value, lang)


def number(value: Any, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_decimal(value, locale=lang)


def plural_form(count: int, lang: str) -> str:
    """CLDR's category for ``count`` in ``lang``: ``one`` or ``other`` in fi, sv and en."""
    return str(Locale.parse(lang).plural_form(abs(count)))
