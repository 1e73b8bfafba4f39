"""One freshness rule: the member's page (submissions' member view) and the dashboard (reporting's
figures, counted from the aggregates' months) call the same action fresh, ageing or stale.

They used to disagree: submissions counted days (180/365) and reporting calendar months, so an
action confirmed on the last day of a month was "fresh" to its member and "ageing" on the
dashboard once five months and a day had passed. The dates below sit on both sides of every
month boundary that matters, so a rule in days on either side fails here.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from htk_reporting.model.contribution import scope_fields
from htk_reporting.model.facts import log_entry
from htk_reporting.model.geography import load_geography
from htk_reporting.settings import ReportingSettings
from htk_reporting.views.figures import figures
from htk_runtime.freshness import Freshness
from htk_submissions.api import member_view
from htk_submissions.domain import ActionContent
from htk_submissions.settings import SubmissionsSettings
from htk_testing.reporting_events import action_event


def _month_start(now: datetime, back: int) -> datetime:
    index = now.year * 12 + now.month - 1 - back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def confirmation_times(now: datetime) -> list[datetime]:
    """The first and last instants of each month up to 14 back, and days between."""
    times = [now, now - timedelta(days=1)]
    for back in range(15):
        start = _month_start(now, back)
        times += [start, start + timedelta(hours=12), start - timedelta(microseconds=1)]
    times += [now - timedelta(days=d) for d in range(0, 450, 7)]
    return times


def on_the_dashboard(confirmed_at: datetime, now: datetime, geo: Any) -> str:
    """How reporting's figures classify the action: through the event's facts, the cell
    counters they add, and the figures read from them."""
    entry, _ = log_entry(
        action_event(
            "published", "a1", 1, at=confirmed_at, confirmed_at=confirmed_at, municipalities=["091"]
        )
    )
    cell = scope_fields(entry["facts"], None, geo)["all"]
    confirmed = {k.split(".", 1)[1]: n for k, n in cell.items() if k.startswith("confirmed.")}
    counts = figures({"confirmed": confirmed}, now)["freshness"]
    (bucket,) = [b for b, n in counts.items() if n]
    return str(bucket)


def on_the_member_page(confirmed_at: datetime) -> str:
    public = action_event(
        "published", "a1", 1, at=confirmed_at, confirmed_at=confirmed_at, municipalities=["091"]
    ).data["action"]
    content = {k: public[k] for k in ActionContent.model_fields if k in public}
    content |= {"summary": "An example action", "inequality_reduction": "Reaches everyone"}
    document = {
        "_id": "a1",
        "version": 1,
        "status": "published",
        "organisation_id": public["organisation_id"],
        "content": content,
        "public": public,
        "confirmed_at": confirmed_at,
        "created_at": confirmed_at,
        "updated_at": confirmed_at,
    }
    return str(member_view(document, SubmissionsSettings())["timeliness"])


def test_the_member_page_and_the_dashboard_agree() -> None:
    geo = load_geography(ReportingSettings().reporting_data_dir)
    now = datetime.now(UTC)
    seen: set[str] = set()
    for confirmed_at in confirmation_times(now):
        member = on_the_member_page(confirmed_at)
        dashboard = on_the_dashboard(confirmed_at, now, geo)
        assert member == dashboard, f"confirmed {confirmed_at}: member {member}, dash {dashboard}"
        seen.add(member)
    # Every class was reached, or the dates above proved nothing.
    assert seen == {f.value for f in Freshness}
