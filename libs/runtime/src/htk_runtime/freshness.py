"""How fresh an action is: the one rule, for the member's page (submissions) and the figures
(reporting) alike.

An action's age is counted in whole calendar months from the month of its last confirmation
(``confirmed_at``: confirmed, updated or published) to the current month, in UTC. It is
**fresh** under ``FRESH_MONTHS``, **ageing** under ``STALE_MONTHS`` and **stale** from then on.

Calendar months, not days, because reporting's aggregates keep only how many actions were
confirmed in each month (``confirmed.<YYYY-MM>``): a rule in days could not be told from them, and
the two counts disagreed (an action confirmed 170 days ago was "fresh" to its member and
"ageing" on the dashboard). UTC, because that is how the aggregates' months are keyed.
"""

from datetime import UTC, datetime
from enum import StrEnum

FRESH_MONTHS = 6
STALE_MONTHS = 12


class Freshness(StrEnum):
    FRESH = "fresh"
    AGEING = "ageing"
    STALE = "stale"


def month_of(at: datetime) -> str:
    """The ``YYYY-MM`` month of ``at`` in UTC (a naive time is taken as UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return f"{at.year:04d}-{at.month:02d}"


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


def of_month(month: str, now: datetime) -> Freshness:
    """The freshness of an action last confirmed in ``month`` (``YYYY-MM``), as of ``now``."""
    year, mon = (int(p) for p in month.split("-"))
    current = month_of(now)
    age = _index(int(current[:4]), int(current[5:])) - _index(year, mon)
    if age < FRESH_MONTHS:
        return Freshness.FRESH
    return Freshness.AGEING if age < STALE_MONTHS else Freshness.STALE


def freshness(confirmed_at: datetime, now: datetime | None = None) -> Freshness:
    return of_month(month_of(confirmed_at), now or datetime.now(UTC))


def _month_start(now: datetime, months_back: int) -> datetime:
    current = month_of(now)
    index = _index(int(current[:4]), int(current[5:])) - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def ageing_from(now: datetime) -> datetime:
    """Actions confirmed before this are ageing or stale (the start of the oldest fresh month)."""
    return _month_start(now, FRESH_MONTHS - 1)


def confirmed_span(bucket: Freshness, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The ``confirmed_at`` span [start, end) of ``bucket`` as of ``now`` (None: open)."""
    fresh_from = ageing_from(now)
    stale_before = _month_start(now, STALE_MONTHS - 1)
    if bucket is Freshness.FRESH:
        return fresh_from, None
    if bucket is Freshness.AGEING:
        return stale_before, fresh_from
    return None, stale_before
