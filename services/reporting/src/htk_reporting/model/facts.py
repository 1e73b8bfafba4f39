"""What reporting keeps of each action event: a compact, plan-independent record.

The event log (one entry per action version) holds these records, so every aggregate, the state
at a past date and the reconciliation can be recomputed here even though the broker keeps nothing
across restarts.
"""

from datetime import UTC, datetime
from typing import Any

from htk_contracts.actions import (
    PublicAction,
)
from htk_contracts.envelope import Envelope
from htk_reporting.model.plan import raw_codes
from htk_runtime.consumer import action_event

PUBLIC_KINDS = frozenset({"published", "updated", "withdrawn"})
WORKFLOW_KINDS = frozenset({"drafted", "submitted", "returned"})


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def month_of(value: datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def week_of(value: datetime) -> str:
    year, week, _ = value.isocalendar()
    return f"{year:04d}-W{week:02d}"


def public_facts(action: PublicAction) -> dict[str, Any]:
    return {
        "organisation_id": action.organisation_id,
        "partners": sorted(set(action.partner_organisation_ids) - {action.organisation_id}),
        "codes": sorted(raw_codes(action.measures, action.sub_goals, action.priorities)),
        "national": action.national,
        "counties": sorted(set(action.counties)),
        "municipalities": sorted(set(action.municipalities)),
        "target_groups": sorted({t.value for t in action.target_groups}),
        "dimensions": sorted({d.value for d in action.inequality_dimensions}),
        "confirmed_at": utc(action.confirmed_at),
        "title": action.title,
    }


def log_entry(envelope: Envelope[dict[str, Any]]) -> tuple[dict[str, Any], PublicAction | None]:
    """The event-log record of an action event and, for published or updated, its snapshot."""
    event = action_event(envelope)
    kind = event.kind
    action: PublicAction | None = getattr(event, "action", None)
    entry = {
        "_id": f"{envelope.subject}:{envelope.aggregateversion}",
        "action_id": envelope.subject,
        "version": envelope.aggregateversion,
        "kind": kind,
        "public_kind": kind in PUBLIC_KINDS,
        "time": utc(envelope.time),
        "organisation_id": action.organisation_id if action else event.organisation_id,
        "facts": public_facts(action) if action else None,
    }
    return entry, action
