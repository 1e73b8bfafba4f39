"""Figures people read, from aggregate documents: live, frozen in a snapshot, or recounted for a
past date. Only counts and distributions; "no data" is its own category, never a zero."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from htk_reporting.model.contribution import (
    ALL,
    NATIONAL,
    Cells,
    cell_id,
    split_cell,
    unescape,
    unflatten,
)
from htk_reporting.model.geography import Geography
from htk_reporting.model.plan import RETIRED, WHOLE_PLAN, PlanView, code_key
from htk_runtime.freshness import of_month

Docs = Mapping[str, dict[str, Any]]
DISTRIBUTIONS = ("org_type", "target_group", "dimension")


def docs_from_cells(cells: Cells) -> dict[str, dict[str, Any]]:
    return {cid: unflatten(fields) for cid, fields in cells.items()}


def _positive(doc: dict[str, Any], name: str) -> dict[str, int]:
    return {unescape(k): int(v) for k, v in sorted(doc.get(name, {}).items()) if v > 0}


def figures(doc: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    doc = doc or {}
    fresh = {"fresh": 0, "ageing": 0, "stale": 0}
    for month, n in doc.get("confirmed", {}).items():
        if n > 0:
            fresh[of_month(month, now)] += n  # the one rule: htk_runtime.freshness
    return {
        "actions": int(doc.get("actions", 0)),
        "organisations": len(_positive(doc, "orgs")),
        "municipalities": len(_positive(doc, "munis")),
        "by_org_type": _positive(doc, "org_type"),
        "by_target_group": _positive(doc, "target_group"),
        "by_dimension": _positive(doc, "dimension"),
        "freshness": fresh,
    }


def drilldown(node: str, scope: str, **extra: str) -> str:
    return "/coverage/actions?" + urlencode({"node": node, "scope": scope, **extra})


def push_reason(fig: dict[str, Any]) -> str | None:
    if fig["actions"] == 0:
        return "no_action"
    if fig["freshness"]["fresh"] + fig["freshness"]["ageing"] == 0:
        return "no_recent_update"
    return None


def node_rows(plan: PlanView, docs: Docs) -> list[tuple[str, str, str, str]]:
    """(code, level, name, state) of every row of a coverage table, in plan order."""
    rows = [(WHOLE_PLAN, "plan", "Koko suunnitelma / whole plan", "active")]
    rows += [(n.code, n.level, n.name, n.state) for n in plan.active()]
    known = {r[0] for r in rows}
    extra = sorted(
        {split_cell(c)[0] for c in docs} - known - {RETIRED} - set(plan.nodes), key=code_key
    )
    rows += [(code, "unknown", code, "not_in_plan") for code in extra]
    rows.append((RETIRED, "retired", "Poistuneet toimenpiteet / retired", "retired"))
    return rows


def coverage_table(plan: PlanView, docs: Docs, scope: str, now: datetime) -> list[dict[str, Any]]:
    out = []
    for code, level, name, state in node_rows(plan, docs):
        fig = figures(docs.get(cell_id(code, scope)), now)
        needs = push_reason(fig) if level in ("sub_goal", "measure") else None
        out.append(
            {
                "code": code,
                "level": level,
                "name": name,
                "state": state,
                **fig,
                "needs_push": needs,
                "actions_url": drilldown(code, scope),
            }
        )
    return out


def needs_push_table(plan: PlanView, docs: Docs, scope: str, now: datetime) -> list[dict[str, Any]]:
    return [r for r in coverage_table(plan, docs, scope, now) if r["needs_push"]]


def county_table(geo: Geography, docs: Docs, node: str, now: datetime) -> list[dict[str, Any]]:
    national = figures(docs.get(cell_id(node, NATIONAL)), now)
    rows = [
        {
            "code": NATIONAL,
            "name": "Valtakunnalliset / national",
            **national,
            "county_wide": None,
            "municipalities_total": None,
            "actions_url": drilldown(node, NATIONAL),
        }
    ]
    for county, name in sorted(geo.county_names.items()):
        doc = docs.get(cell_id(node, f"county:{county}")) or {}
        rows.append(
            {
                "code": county,
                "name": name,
                **figures(doc, now),
                "county_wide": int(doc.get("county_wide", 0)),
                "municipalities_total": len(geo.municipalities_in(county)),
                "actions_url": drilldown(node, f"county:{county}"),
            }
        )
    return rows


def municipality_table(
    geo: Geography, docs: Docs, node: str, now: datetime, county: str | None = None
) -> list[dict[str, Any]]:
    national = int((docs.get(cell_id(node, NATIONAL)) or {}).get("actions", 0))
    rows = []
    for code, name in sorted(geo.municipality_names.items()):
        home = geo.county_of.get(code, "")
        if county and home != county:
            continue
        county_doc = docs.get(cell_id(node, f"county:{home}")) or {}
        rows.append(
            {
                "code": code,
                "name": name,
                "county": home,
                "county_name": geo.county_names.get(home, ""),
                **figures(docs.get(cell_id(node, f"municipality:{code}")), now),
                # Shown beside, never added in: actions for the whole county or the whole country.
                "county_wide_actions": int(county_doc.get("county_wide", 0)),
                "national_actions": national,
                "actions_url": drilldown(node, f"municipality:{code}"),
            }
        )
    return rows


def freshness_rows(
    keys: list[tuple[str, str]], docs: Docs, cells: list[str], now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for (code, name), cid in zip(keys, cells, strict=True):
        fig = figures(docs.get(cid), now)
        total = fig["actions"]
        share = {
            f"{k}_share": (round(v / total, 4) if total else None)
            for k, v in fig["freshness"].items()
        }
        rows.append({"code": code, "name": name, "actions": total, **fig["freshness"], **share})
    return rows


def freshness_by_sub_goal(
    plan: PlanView, docs: Docs, scope: str, now: datetime
) -> list[dict[str, Any]]:
    subs = [(n.code, n.name) for n in plan.active("sub_goal")]
    return freshness_rows(subs, docs, [cell_id(c, scope) for c, _ in subs], now)


def freshness_by_county(
    geo: Geography, docs: Docs, node: str, now: datetime
) -> list[dict[str, Any]]:
    keys = [(NATIONAL, "Valtakunnalliset / national"), *sorted(geo.county_names.items())]
    cells = [cell_id(node, NATIONAL)] + [cell_id(node, f"county:{c}") for c, _ in keys[1:]]
    return freshness_rows(keys, docs, cells, now)


def _periods(first: str, now: datetime, weekly: bool) -> list[str]:
    if weekly:
        year, week = (int(p) for p in first.split("-W"))
        day = datetime.fromisocalendar(year, week, 1).replace(tzinfo=UTC)
        out = []
        while day <= now:
            y, w, _ = day.isocalendar()
            out.append(f"{y:04d}-W{w:02d}")
            day += timedelta(days=7)
        return out
    year, month = (int(p) for p in first.split("-"))
    out = []
    while (year, month) <= (now.year, now.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def series(
    doc: dict[str, Any] | None,
    key_docs: list[dict[str, Any]] | None,
    period: str,
    now: datetime,
    single_municipality: bool = False,
) -> list[dict[str, Any]]:
    """Published actions, organisations acting and municipalities reached at the end of each week
    or month, from the first change on.

    ``key_docs`` are the cell's series documents of that period kind; ``None`` where the scope
    keeps none (see ``contribution``): organisations over time are then "no data", and so are
    municipalities, except for one municipality's own scope, which reaches itself whenever it has
    actions.
    """
    changes = {k: int(v) for k, v in (doc or {}).get(period, {}).items()}
    key_changes: dict[str, dict[str, int]] = {}
    for d in key_docs or []:
        for name, fields in d.items():
            if isinstance(fields, dict):
                key_changes[name] = fields
    if not any(changes.values()) and not key_changes:
        return []
    periods = _periods(min([*changes, *key_changes]), now, weekly=period == "weeks")
    seen = set(periods)
    periods += sorted(p for p in {*changes, *key_changes} if p not in seen)
    refs: dict[str, int] = {}
    distinct = {"orgs": 0, "munis": 0}
    total, out = 0, []
    for p in periods:
        total += changes.get(p, 0)
        for ref, delta in key_changes.get(p, {}).items():
            before = refs.get(ref, 0)
            refs[ref] = before + int(delta)
            distinct[ref.partition(":")[0]] += (refs[ref] > 0) - (before > 0)
        if key_docs is None:
            organisations = None
            municipalities = int(total > 0) if single_municipality else None
        else:
            organisations, municipalities = distinct["orgs"], distinct["munis"]
        out.append(
            {
                "period": p,
                "actions": total,
                "organisations": organisations,
                "municipalities": municipalities,
            }
        )
    return out


def scope_label(scope: str, geo: Geography) -> str:
    if scope == ALL:
        return "Koko maa / all"
    if scope == NATIONAL:
        return "Valtakunnalliset / national"
    kind, _, code = scope.partition(":")
    names = geo.county_names if kind == "county" else geo.municipality_names
    return f"{names.get(code, code)} ({code})"
