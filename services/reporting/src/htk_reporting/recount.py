"""Aggregates recomputed from the event log alone: the rebuild, ``htk reporting verify`` and the
state at a past date all use it, so none of them trusts the live documents."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from htk_reporting.contribution import (
    Cells,
    action_cells,
    add_into,
    contribution,
    series_delta,
)
from htk_reporting.geography import Geography
from htk_reporting.plan import PlanView


def recount(
    entries: Iterable[dict[str, Any]],
    plan: PlanView,
    org_types: dict[str, str],
    geo: Geography,
    *,
    until: datetime | None = None,
    with_series: bool = True,
) -> tuple[Cells, dict[str, dict[str, Any]]]:
    """Cells and each action's current public log entry, from the log (up to ``until``)."""
    by_action: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        if e["public_kind"] and (until is None or e["time"] <= until):
            by_action[e["action_id"]].append(e)
    cells: Cells = {}
    current: dict[str, dict[str, Any]] = {}
    for action_id, versions in by_action.items():
        versions.sort(key=lambda e: e["version"])
        previous: set[str] = set()
        for e in versions:
            now = action_cells(e["facts"], plan, geo)
            if with_series:
                add_into(cells, series_delta(now, previous, e["time"]))
            previous = now
        last = versions[-1]
        current[action_id] = last
        facts = last["facts"]
        if facts is not None:
            org_type = org_types.get(facts["organisation_id"])
            add_into(cells, contribution(facts, org_type, plan, geo))
    return cells, current
