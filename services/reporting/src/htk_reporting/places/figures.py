"""A place's figures: its actions (its own, county-wide and national apart), the organisations
acting there, coverage of every active plan node with the sub-goals that have no action there
("gaps"), the same per 10,000 inhabitants next to the county's and the country's, and its trend.

Scopes are the aggregates' own (see ``contribution``): a municipality's figures count actions
naming it; a county's count actions naming it or one of its municipalities; the country's count
every action, national ones included. National and county-wide actions are listed beside a
municipality's own, never added into its counts."""

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from htk_reporting.context import Reporting
from htk_reporting.model.contribution import ALL, NO_DATA, cell_id
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.places.population import Population, load_population, per_10000
from htk_reporting.store import actions, aggregates
from htk_reporting.views import tables
from htk_reporting.views.figures import Docs, drilldown, figures
from htk_runtime.errors import DomainError
from htk_runtime.freshness import freshness

Kind = Literal["finland", "county", "municipality"]
ACTIONS_LISTED = 50
FINLAND = "FI"


@dataclass(frozen=True)
class Place:
    kind: Kind
    code: str
    scope: str
    names: dict[str, str]
    county: str | None
    population: int | None

    @property
    def url(self) -> str:
        return place_url(self.kind, self.code)


async def cells(r: Reporting, ids: list[str], *fields: str) -> Docs:
    """Aggregate documents by id with only ``fields``: the whole-country and county documents
    carry every acting organisation (thousands of keys at 100,000 actions), and decoding those
    for a count took most of a place page's time."""
    return await aggregates.cells_by_id(r.db, await r.live(), ids, *(fields or ("actions",)))


def place_url(kind: str, code: str) -> str:
    return "/places/finland" if kind == "finland" else f"/places/{kind}/{code}"


def population(r: Reporting) -> Population:
    return load_population(r.settings.reporting_data_dir)


def municipality_names(r: Reporting, code: str) -> dict[str, str]:
    return r.geo.municipality_names_i18n.get(code) or {"fi": r.geo.municipality_names[code]}


def find_place(r: Reporting, kind: str, code: str = FINLAND) -> Place:
    pop = population(r)
    if kind == "finland":
        names = {"fi": "Koko Suomi", "sv": "Hela Finland", "en": "Whole of Finland"}
        return Place("finland", FINLAND, ALL, names, None, pop.total() or None)
    if kind == "county":
        if code not in r.geo.county_names:
            raise DomainError(404, f"No wellbeing services county {code}", field="code")
        names = r.geo.county_names_i18n.get(code) or {"fi": r.geo.county_names[code]}
        return Place("county", code, f"county:{code}", names, None, pop.of_county(code))
    if kind == "municipality":
        if code not in r.geo.municipality_names:
            raise DomainError(404, f"No municipality {code}", field="code")
        county = r.geo.county_of.get(code)
        return Place(
            "municipality",
            code,
            f"municipality:{code}",
            municipality_names(r, code),
            county,
            pop.of_municipality(code),
        )
    raise DomainError(404, "kind must be finland, county or municipality", field="kind")


def _action_row(a: dict[str, Any], now: datetime) -> dict[str, Any]:
    public = a["public"]
    return {
        "action_id": a["_id"],
        "title": public["title"],
        "organisation_id": public["organisation_id"],
        "confirmed_at": public["confirmed_at"].isoformat(),
        "freshness": freshness(public["confirmed_at"], now),
    }


# The national list (and the country's regional one) is the same on every place page, and the
# embedded database reads every match before applying a limit (70 ms for 3,000 national actions):
# kept for a few seconds per process, and refetched at once when its total changes.
SHARED_LIST_SECONDS = 15.0
_shared_lists: dict[str, tuple[float, int, list[dict[str, Any]]]] = {}


async def _shared_listed(
    r: Reporting, query: dict[str, Any], total: int, now: datetime
) -> dict[str, Any]:
    key = f"{id(r.db)}:{sorted(query.items())!r}"
    hit = _shared_lists.get(key)
    if hit and hit[1] == total and time.monotonic() - hit[0] < SHARED_LIST_SECONDS:
        return {"total": total, "rows": hit[2]}
    listed = await _listed(r, query, total, now)
    _shared_lists[key] = (time.monotonic(), total, listed["rows"])
    return listed


async def _listed(r: Reporting, query: dict[str, Any], total: int, now: datetime) -> dict[str, Any]:
    """The first actions of a list (``query`` from store.actions) in its index's order, and the
    list's total from the aggregates (see store.actions for why neither a sort nor a count)."""
    if total <= 0:
        return {"total": 0, "rows": []}
    found = await actions.first(r.db, query, ACTIONS_LISTED)
    return {"total": total, "rows": [_action_row(a, now) for a in found]}


async def place_actions(r: Reporting, place: Place, whole: Docs, now: datetime) -> dict[str, Any]:
    """Actions there in three lists that never overlap in meaning: the place's own (naming it,
    or for a county one of its municipalities), county-wide (naming the county) and national.
    ``whole`` holds the whole-plan aggregates of the scopes involved."""

    def count(scope: str, field: str = "actions") -> int:
        return int((whole.get(cell_id(WHOLE_PLAN, scope)) or {}).get(field, 0))

    national = await _shared_listed(r, actions.in_scope("national"), count("national"), now)
    if place.kind == "finland":
        own = await _shared_listed(r, actions.own_in_country(),
                            count(ALL) - count("national"), now)  # fmt: skip
        return {"own": own, "county_wide": None, "national": national}
    county = place.code if place.kind == "county" else place.county
    scope = f"county:{county}"
    wide = await _listed(r, actions.county_wide(county), count(scope, "county_wide"), now)
    if place.kind == "county":
        own = await _listed(r, actions.own_in_county(county),
                            count(scope) - count(scope, "county_wide"), now)  # fmt: skip
    else:
        own = await _listed(r, actions.in_scope(place.scope), count(place.scope), now)
    return {"own": own, "county_wide": wide, "national": national}


def organisations_active(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    orgs = (doc or {}).get("orgs", {})
    rows = [{"organisation_id": o, "actions": int(n)} for o, n in orgs.items() if n > 0]
    return sorted(rows, key=lambda row: (-row["actions"], row["organisation_id"]))


def coverage_rows(
    r: Reporting,
    here: Docs,
    here_scope: str,
    here_pop: int | None,
    comparisons: list[tuple[str, str, Docs, int | None]],
) -> list[dict[str, Any]]:
    """One row per active plan node: actions here and per 10,000, then each comparison's."""
    rows = []
    for node in r.plan.active():
        actions = int((here.get(cell_id(node.code, here_scope)) or {}).get("actions", 0))
        row: dict[str, Any] = {
            "code": node.code,
            "level": node.level,
            "name": node.name,
            "names": node.names or {"fi": node.name},
            "actions": actions,
            "per_10000": per_10000(actions, here_pop),
            "gap": node.level == "sub_goal" and actions == 0,
            "actions_url": drilldown(node.code, here_scope),
        }
        for key, scope, docs, pop in comparisons:
            n = int((docs.get(cell_id(node.code, scope)) or {}).get("actions", 0))
            row[f"{key}_actions"] = n
            row[f"{key}_per_10000"] = per_10000(n, pop)
        rows.append(row)
    return rows


async def parts(r: Reporting, place: Place, now: datetime) -> list[dict[str, Any]]:
    """The country's counties or a county's municipalities, side by side, never averaged."""
    if place.kind == "municipality":
        return []
    pop = population(r)
    kind = "county" if place.kind == "finland" else "municipality"
    codes = sorted(r.geo.county_names) if place.kind == "finland" else (
        r.geo.municipalities_in(place.code))  # fmt: skip
    docs = await cells(r, [cell_id(WHOLE_PLAN, f"{kind}:{c}") for c in codes], "actions", "orgs")
    if place.kind == "finland":
        items = [
            ("county", c, r.geo.county_names_i18n.get(c) or {"fi": n}, pop.of_county(c))
            for c, n in sorted(r.geo.county_names.items())
        ]
    else:
        items = [
            ("municipality", m, municipality_names(r, m), pop.of_municipality(m))
            for m in r.geo.municipalities_in(place.code)
        ]
    rows = []
    for kind, code, names, people in items:
        doc = docs.get(cell_id(WHOLE_PLAN, f"{kind}:{code}"))
        fig = figures(doc, now)
        rows.append(
            {
                "kind": kind,
                "code": code,
                "name": names.get("fi", code),
                "names": names,
                "population": people,
                "actions": fig["actions"],
                "per_10000": per_10000(fig["actions"], people),
                "organisations": fig["organisations"],
                "url": place_url(kind, code),
            }
        )
    return rows


async def place_page(r: Reporting, place: Place, now: datetime) -> dict[str, Any]:
    pop = population(r)
    scopes = [place.scope, ALL, "national"]
    if place.county:
        scopes.append(f"county:{place.county}")
    # One read for every node's count here, in the county and in the country, and the list
    # totals: each query costs tens of milliseconds on a busy embedded database.
    nodes = [WHOLE_PLAN, *(n.code for n in r.plan.active())]
    docs = await cells(r, [cell_id(n, s) for s in scopes for n in nodes], "actions", "county_wide")
    here = docs
    comparisons: list[tuple[str, str, Docs, int | None]] = []
    if place.kind == "municipality" and place.county:
        comparisons.append(("county", f"county:{place.county}", docs,
                            pop.of_county(place.county)))  # fmt: skip
    if place.kind != "finland":
        comparisons.append(("country", ALL, docs, pop.total() or None))
    rows = coverage_rows(r, here, place.scope, place.population, comparisons)
    whole = await aggregates.cell(r.db, await r.live(), cell_id(WHOLE_PLAN, place.scope))
    total = figures(whole, now)
    series = await tables.PUBLIC["series-months"](r, {"node": WHOLE_PLAN, "scope": place.scope},
                                                  now)  # fmt: skip
    county = None
    if place.county:
        county = {
            "code": place.county,
            "names": r.geo.county_names_i18n.get(place.county, {}),
            "url": place_url("county", place.county),
        }
    return {
        **r.meta(now),
        "place": {
            "kind": place.kind,
            "code": place.code,
            "scope": place.scope,
            "names": place.names,
            "url": place.url,
            "county": county,
            "population": place.population,
            "population_date": pop.date,
            "population_year": pop.year,
        },
        "totals": {
            "actions": total["actions"],
            "per_10000": per_10000(total["actions"], place.population),
            "organisations": total["organisations"],
            "municipalities": total["municipalities"],
            "freshness": total["freshness"],
            "by_org_type": total["by_org_type"],
        },
        "actions": await place_actions(r, place, docs, now),
        "organisations": organisations_active(whole),
        "coverage": rows,
        "gaps": [
            {"code": row["code"], "name": row["name"], "names": row["names"]}
            for row in rows
            if row["gap"]
        ],
        "parts": await parts(r, place, now),
        "series": [{"period": s["period"], "actions": s["actions"]} for s in series[-24:]],
        "indicators": await place_indicators(r, place),
        "no_data": NO_DATA,
    }


async def place_indicators(r: Reporting, place: Place) -> list[dict[str, Any]]:
    """The place's welfare indicators, every year held, marked when they are example data."""
    from htk_reporting.places import indicator_store as istore

    if place.kind == "finland":
        return []
    meta = {i["_id"]: i for i in await istore.indicators(r.db)}
    if not meta:
        return []
    by_indicator: dict[int, list[dict[str, Any]]] = {}
    for v in await istore.values_of_place(r.db, place.kind, place.code):
        by_indicator.setdefault(v["indicator"], []).append({"year": v["year"], "value": v["value"]})
    return [
        {
            "id": ident,
            "title": meta[ident].get("title", {}),
            "unit": meta[ident].get("unit", {}),
            "organisation": meta[ident].get("organisation"),
            "example": bool(meta[ident].get("example")),
            "values": sorted(found, key=lambda x: x["year"]),
        }
        for ident, found in sorted(by_indicator.items())
        if ident in meta
    ]
