"""Aggregates recomputed from the event log alone: the rebuild, ``htk reporting verify`` and the
state at a past date all use it, so none of them trusts the live documents.

An action adds the same fields under every plan node it counts under, so the recount sums fields
per (set of nodes, scope) first and spreads the sums over the nodes at the end: the work per
action does not grow with the number of nodes.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from htk_reporting.contribution import (
    KEY_FIELDS,
    Cells,
    cell_id,
    keeps_key_series,
    key_periods,
    scope_fields,
    scopes,
    series_id,
)
from htk_reporting.facts import month_of, week_of
from htk_reporting.geography import Geography
from htk_reporting.plan import PlanView

Acc = dict[frozenset[str], dict[str, dict[str, int]]]


def recount(
    entries: Iterable[dict[str, Any]],
    plan: PlanView,
    org_types: dict[str, str],
    geo: Geography,
    *,
    until: datetime | None = None,
    with_series: bool = True,
    series_out: Cells | None = None,
) -> tuple[Cells, dict[str, dict[str, Any]]]:
    """Cells and each action's current public log entry, from the log (up to ``until``).

    With ``series_out``, the organisation and municipality series documents go there too.
    """
    by_action: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        if e["public_kind"] and (until is None or e["time"] <= until):
            by_action[e["action_id"]].append(e)
    node_sets: dict[tuple[str, ...], frozenset[str]] = {}

    def nodes_of(facts: dict[str, Any]) -> frozenset[str]:
        key = tuple(facts["codes"])
        if key not in node_sets:
            node_sets[key] = frozenset(plan.count_nodes(key))
        return node_sets[key]

    acc: Acc = {}
    key_acc: Acc = {}

    def add(
        nodes: frozenset[str], scope: str, fields: dict[str, int], sign: int = 1, into: Acc = acc
    ) -> None:
        bucket = into.setdefault(nodes, {}).setdefault(scope, {})
        for f, v in fields.items():
            bucket[f] = bucket.get(f, 0) + sign * v

    def add_keys(facts: dict[str, Any], at: datetime, sign: int) -> None:
        nodes = nodes_of(facts)
        for scope, fields in scope_fields(facts, None, geo).items():
            if keeps_key_series(scope, "months"):
                keys = {f: v for f, v in fields.items() if f.startswith(KEY_FIELDS)}
                for period in key_periods(scope, at):
                    add(nodes, series_id(scope, period), keys, sign, key_acc)

    current: dict[str, dict[str, Any]] = {}
    for action_id, versions in by_action.items():
        versions.sort(key=lambda e: e["version"])
        if with_series:
            # Adding the new cells and removing the old ones at the same period is the live
            # set difference once the shared cells cancel out.
            previous: dict[str, Any] | None = None
            for e in versions:
                at = e["time"]
                step = {f"weeks.{week_of(at)}": 1, f"months.{month_of(at)}": 1}
                if previous is not None:
                    for scope in scopes(previous, geo):
                        add(nodes_of(previous), scope, step, -1)
                    if series_out is not None:
                        add_keys(previous, at, -1)
                if e["facts"] is not None:
                    for scope in scopes(e["facts"], geo):
                        add(nodes_of(e["facts"]), scope, step)
                    if series_out is not None:
                        add_keys(e["facts"], at, 1)
                previous = e["facts"]
        last = versions[-1]
        current[action_id] = last
        facts = last["facts"]
        if facts is not None:
            org_type = org_types.get(facts["organisation_id"])
            for scope, fields in scope_fields(facts, org_type, geo).items():
                add(nodes_of(facts), scope, fields)
    if series_out is not None:
        series_out.update(_spread(key_acc))
    return _spread(acc), current


def _spread(acc: Acc) -> Cells:
    """Per-(node set, scope) sums as per-(node, scope) cells."""
    cells: Cells = {}
    for nodes, per_scope in acc.items():
        for node in nodes:
            for scope, fields in per_scope.items():
                cell = cells.setdefault(cell_id(node, scope), {})
                for f, v in fields.items():
                    cell[f] = cell.get(f, 0) + v
    return cells
