"""What one action adds to the aggregates: a pure function of its facts, the plan and places.

Aggregates are documents per (plan node, scope), ``<node>|<scope>``. Scopes: ``all``,
``national``, ``county:<code>`` and ``municipality:<code>``. A national action counts under
``national`` and ``all`` only, never in a county's or municipality's figures. A county counts
actions naming it or one of its municipalities (``county_wide`` tells the first kind apart);
a municipality counts actions naming it.

Fields of a document, all integers so that updates are ``$inc`` and idempotent by version:
``actions``; ``org_type.<t>``, ``target_group.<t>``, ``dimension.<d>`` (``no_data`` when the
action gives none); ``orgs.<id>`` and ``munis.<code>`` (reference counts; distinct
organisations and municipalities are the keys above zero); ``confirmed.<YYYY-MM>`` (freshness);
``weeks.<YYYY-Www>`` and ``months.<YYYY-MM>`` (changes of ``actions`` in that period, so a running
sum is the time series).

Organisations and municipalities over time are distinct counts, which a running sum of distinct
counts cannot give when events arrive out of order. So their series keep the change of each key's
reference count per period, in series documents ``<node>|<scope>|<weeks|months>|<quarter>`` with
fields ``<period>.orgs:<id>`` and ``<period>.munis:<code>``. Sums commute, so any delivery order
gives the same documents, and the distinct count at the end of a period is the number of keys
whose running sum is above zero. A document holds a quarter: one per period would be 24,000
documents for 100,000 actions, and writing them dominated a rebuild (0.3 ms a document on
SecantusDB). The volume is bounded by keeping them where coordinators chart them: by month for
the whole country, national actions and each county; by week for the whole country and national
actions (weekly series per county would add 1.1 million fields to a rebuild). A
single municipality keeps none: its municipalities reached is itself whenever it has actions.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from htk_reporting.model.facts import month_of, week_of
from htk_reporting.model.geography import Geography
from htk_reporting.model.plan import PlanView
from htk_runtime.freshness import month_of as freshness_month

NO_DATA = "no_data"
ALL = "all"
NATIONAL = "national"

Cells = dict[str, dict[str, int]]


def escape(key: str) -> str:
    # Field names may not contain "." or start with "$"; ids come from outside.
    key = key.replace(".", "\uff0e")
    return "\uff04" + key[1:] if key.startswith("$") else key


def unescape(key: str) -> str:
    key = key.replace("\uff0e", ".")
    return "$" + key[1:] if key.startswith("\uff04") else key


def cell_id(node: str, scope: str) -> str:
    return f"{node}|{scope}"


def split_cell(cid: str) -> tuple[str, str]:
    node, scope = cid.split("|", 1)
    return node, scope


def scopes(facts: dict[str, Any], geo: Geography) -> list[str]:
    out = [ALL]
    if facts["national"]:
        out.append(NATIONAL)
    counties = set(facts["counties"])
    counties.update(geo.county_of[m] for m in facts["municipalities"] if m in geo.county_of)
    out += [f"county:{c}" for c in sorted(counties)]
    out += [f"municipality:{m}" for m in facts["municipalities"]]
    return out


def scope_keys(facts: dict[str, Any], geo: Geography) -> dict[str, dict[str, int]]:
    """The organisations and municipalities an action counts for in each of its scopes."""
    orgs = {f"orgs.{escape(o)}": 1 for o in [facts["organisation_id"], *facts["partners"]]}
    municipalities = facts["municipalities"]
    out: dict[str, dict[str, int]] = {}
    for scope in scopes(facts, geo):
        keys = dict(orgs)
        if scope == ALL:
            keys.update({f"munis.{escape(m)}": 1 for m in municipalities})
        elif scope.startswith("county:"):
            county = scope.removeprefix("county:")
            keys.update(
                {f"munis.{escape(m)}": 1 for m in municipalities if geo.county_of.get(m) == county}
            )
        out[scope] = keys
    return out


def scope_fields(
    facts: dict[str, Any], org_type: str | None, geo: Geography
) -> dict[str, dict[str, int]]:
    """The fields an action adds in each of its scopes (the same under every plan node)."""
    common: dict[str, int] = {"actions": 1, f"org_type.{escape(org_type or NO_DATA)}": 1}
    for t in facts["target_groups"] or [NO_DATA]:
        common[f"target_group.{t}"] = 1
    for d in facts["dimensions"] or [NO_DATA]:
        common[f"dimension.{d}"] = 1
    # Keyed as the one freshness rule reads it (htk_runtime.freshness).
    common[f"confirmed.{freshness_month(facts['confirmed_at'])}"] = 1
    explicit_counties = {f"county:{c}" for c in facts["counties"]}
    per_scope: dict[str, dict[str, int]] = {}
    for scope, keys in scope_keys(facts, geo).items():
        fields = common | keys
        if scope in explicit_counties:
            fields["county_wide"] = 1
        per_scope[scope] = fields
    return per_scope


def contribution(
    facts: dict[str, Any] | None, org_type: str | None, plan: PlanView, geo: Geography
) -> Cells:
    if facts is None:
        return {}
    per_scope = scope_fields(facts, org_type, geo)
    return {
        cell_id(node, scope): fields
        for node in plan.count_nodes(facts["codes"])
        for scope, fields in per_scope.items()
    }


def action_cells(facts: dict[str, Any] | None, plan: PlanView, geo: Geography) -> set[str]:
    if facts is None:
        return set()
    return {
        cell_id(node, scope)
        for node in plan.count_nodes(facts["codes"])
        for scope in scopes(facts, geo)
    }


def difference(new: Cells, old: Cells) -> Cells:
    out: Cells = {}
    for cid in new.keys() | old.keys():
        a, b = new.get(cid, {}), old.get(cid, {})
        fields = {f: a.get(f, 0) - b.get(f, 0) for f in a.keys() | b.keys()}
        fields = {f: v for f, v in fields.items() if v}
        if fields:
            out[cid] = fields
    return out


def series_delta(new_cells: set[str], old_cells: set[str], at: datetime) -> Cells:
    """The time-series change when an action moves from ``old_cells`` to ``new_cells`` at ``at``."""
    week, month = f"weeks.{week_of(at)}", f"months.{month_of(at)}"
    out: Cells = {}
    for cid in new_cells - old_cells:
        out[cid] = {week: 1, month: 1}
    for cid in old_cells - new_cells:
        out[cid] = {week: -1, month: -1}
    return out


def key_cells(facts: dict[str, Any] | None, plan: PlanView, geo: Geography) -> Cells:
    """The organisation and municipality references an action adds to each series-keeping cell."""
    if facts is None:
        return {}
    out: Cells = {}
    nodes = plan.count_nodes(facts["codes"])
    for scope, keys in scope_keys(facts, geo).items():
        if not keeps_key_series(scope, "months"):
            continue
        for node in nodes:
            out[cell_id(node, scope)] = keys
    return out


def keeps_key_series(scope: str, kind: str) -> bool:
    """Whether a scope keeps organisations and municipalities by ``weeks`` or ``months``."""
    if kind == "weeks":
        return scope in (ALL, NATIONAL)
    return not scope.startswith("municipality:")


def key_periods(scope: str, at: datetime) -> list[str]:
    weekly = keeps_key_series(scope, "weeks")
    return [week_of(at), month_of(at)] if weekly else [month_of(at)]


@cache
def quarter_of(period: str) -> str:
    """The document a week or month goes to: a quarter of its year (ISO weeks 40-53 in Q4)."""
    year, _, rest = period.partition("-")
    number = int(rest.removeprefix("W"))
    quarter = min((number - 1) // 13 + 1, 4) if rest.startswith("W") else (number - 1) // 3 + 1
    return f"{year}-Q{quarter}"


def series_id(cid: str, period: str) -> str:
    kind = "weeks" if "-W" in period else "months"
    return f"{cid}|{kind}|{quarter_of(period)}"


def split_series(sid: str) -> tuple[str, str, str, str]:
    """node, scope, period kind (``weeks``/``months``) and quarter of a series document id."""
    cid, kind, quarter = sid.rsplit("|", 2)
    node, scope = split_cell(cid)
    return node, scope, kind, quarter


def period_fields(keys: dict[str, int], period: str) -> dict[str, int]:
    """``orgs.<id>`` references as the fields of one period in a series document."""
    out = {}
    for name, value in keys.items():
        head, _, key = name.partition(".")
        out[f"{period}.{head}:{key}"] = value
    return out


def key_series_delta(new: Cells, old: Cells, at: datetime) -> Cells:
    """The series documents' change when references move from ``old`` to ``new`` at ``at``."""
    out: Cells = {}
    for cid, fields in difference(new, old).items():
        for period in key_periods(split_cell(cid)[1], at):
            add_into(out, {series_id(cid, period): period_fields(fields, period)})
    return out


def add_into(target: Cells, delta: Cells, sign: int = 1) -> None:
    for cid, fields in delta.items():
        cell = target.setdefault(cid, defaultdict(int))
        for f, v in fields.items():
            cell[f] = cell.get(f, 0) + sign * v


def merge(*parts: Cells) -> Cells:
    out: Cells = {}
    for part in parts:
        add_into(out, part)
    return out


def unflatten(fields: Mapping[str, int]) -> dict[str, Any]:
    """``field.key`` counters as the nested document ``$inc`` makes of them."""
    doc: dict[str, Any] = {}
    for name, value in fields.items():
        head, _, key = name.partition(".")
        if key:
            doc.setdefault(head, {})[key] = value
        else:
            doc[head] = value
    return doc


def normalised(cells: Iterable[tuple[str, dict[str, int]]]) -> Cells:
    """Cells without zero fields or empty cells, for comparing live and recounted figures."""
    out: Cells = {}
    for cid, fields in cells:
        kept = {f: int(v) for f, v in fields.items() if v}
        if kept:
            out[cid] = kept
    return out
