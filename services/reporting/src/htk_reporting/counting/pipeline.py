"""The review pipeline: drafts, submitted and returned actions, and how long reviews wait."""

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.store import actions
from htk_reporting.store import log as action_log

STATES = ("draft", "submitted", "returned")
BUCKETS = ((1, "under_1_day"), (3, "1_to_3_days"), (7, "3_to_7_days"), (30, "7_to_30_days"))


def _bucket(days: float) -> str:
    for bound, name in BUCKETS:
        if days < bound:
            return name
    return "30_days_or_more"


def distribution(days: list[float]) -> dict[str, Any]:
    counts = {name: 0 for _, name in BUCKETS} | {"30_days_or_more": 0}
    for d in days:
        counts[_bucket(d)] += 1
    ordered = sorted(days)
    return {
        "count": len(days),
        "by_wait": counts,
        "median_days": round(ordered[len(ordered) // 2], 2) if ordered else None,
        "longest_days": round(ordered[-1], 2) if ordered else None,
    }


async def pipeline(db: AsyncDatabase[dict[str, Any]], now: datetime) -> dict[str, Any]:
    counts = {s: await actions.count_in_state(db, s) for s in STATES}
    waiting = [(now - since).total_seconds() / 86400 for since in await actions.waiting_since(db)]
    # Reviews finished in the last year: from each submission to the next decision.
    since = now - timedelta(days=365)
    entries = await action_log.review_entries_since(db, since)
    entries.sort(key=lambda e: (e["action_id"], e["version"]))
    finished: list[float] = []
    submitted_at: dict[str, datetime] = {}
    for e in entries:
        if e["kind"] == "submitted":
            submitted_at[e["action_id"]] = e["time"]
        elif e["kind"] in ("published", "updated", "returned") and e["action_id"] in submitted_at:
            start = submitted_at.pop(e["action_id"])
            finished.append((e["time"] - start).total_seconds() / 86400)
    return {
        **counts,
        "waiting_for_review": distribution(waiting),
        "reviews_last_year": distribution(finished),
    }
