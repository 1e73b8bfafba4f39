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
    Cells,
    cell_id,
    keeps_key_series,
    period_fields,
    scope_fields,
    scope_keys,
    scopes,
    series_id,
)
from htk_reporting.facts import month_of, week_of
from htk_reporting.geography import Geography
from htk_reporting.plan import PlanView

Acc = dict[frozenset[str], dict[str, dict[str, int]]]


class Recount:
    """The recount fed one action at a time (all its public versions), so that a caller can
    overlap reading the log with counting it."""

    def __init__(
        self,
        plan: PlanView,
        org_types: dict[str, str],
        geo: Geography,
        *,
        with_series: bool = True,
        with_key_series: bool = False,
    ) -> None:
        self.plan, self.org_types, self.geo = plan, org_types, geo
        self.with_series, self.with_key_series = with_series, with_key_series
        self.node_sets: dict[tuple[str, ...], frozenset[str]] = {}
        self.acc: Acc = {}
        self.key_acc: Acc = {}
        self.current: dict[str, dict[str, Any]] = {}

    def nodes_of(self, facts: dict[str, Any]) -> frozenset[str]:
        key = tuple(facts["codes"])
        nodes = self.node_sets.get(key)
        if nodes is None:
            nodes = self.node_sets[key] = frozenset(self.plan.count_nodes(key))
        return nodes

    @staticmethod
    def _add(
        into: Acc, nodes: frozenset[str], scope: str, fields: dict[str, int], sign: int
    ) -> None:
        bucket = into.setdefault(nodes, {}).setdefault(scope, {})
        for f, v in fields.items():
            bucket[f] = bucket.get(f, 0) + sign * v

    def _step(self, facts: dict[str, Any], at: datetime, sign: int) -> None:
        nodes = self.nodes_of(facts)
        week, month = week_of(at), month_of(at)
        step = {f"weeks.{week}": 1, f"months.{month}": 1}
        if not self.with_key_series:
            for scope in scopes(facts, self.geo):
                self._add(self.acc, nodes, scope, step, sign)
            return
        for scope, keys in scope_keys(facts, self.geo).items():
            self._add(self.acc, nodes, scope, step, sign)
            if not keeps_key_series(scope, "months"):
                continue
            periods = (week, month) if keeps_key_series(scope, "weeks") else (month,)
            for period in periods:
                fields = period_fields(keys, period)
                self._add(self.key_acc, nodes, series_id(scope, period), fields, sign)

    def add_action(self, versions: list[dict[str, Any]]) -> None:
        """One action's public log entries, in version order."""
        if self.with_series:
            # Adding the new cells and removing the old ones at the same period is the live
            # set difference once the shared cells cancel out.
            previous: dict[str, Any] | None = None
            for e in versions:
                if previous is not None:
                    self._step(previous, e["time"], -1)
                if e["facts"] is not None:
                    self._step(e["facts"], e["time"], 1)
                previous = e["facts"]
        last = versions[-1]
        self.current[last["action_id"]] = last
        facts = last["facts"]
        if facts is not None:
            org_type = self.org_types.get(facts["organisation_id"])
            nodes = self.nodes_of(facts)
            for scope, fields in scope_fields(facts, org_type, self.geo).items():
                self._add(self.acc, nodes, scope, fields, 1)

    def cells(self) -> Cells:
        return _spread(self.acc)

    def key_series(self) -> Cells:
        return _spread(self.key_acc)


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
    counter = Recount(
        plan, org_types, geo, with_series=with_series, with_key_series=series_out is not None
    )
    for versions in by_action.values():
        versions.sort(key=lambda e: e["version"])
        counter.add_action(versions)
    if series_out is not None:
        series_out.update(counter.key_series())
    return counter.cells(), counter.current


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
