"""Every table the service shows, by name, for the API and the CSV/XLSX exports."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from htk_reporting.context import Reporting
from htk_reporting.counting.pipeline import pipeline
from htk_reporting.model.contribution import cell_id, keeps_key_series
from htk_reporting.store import aggregates
from htk_reporting.views import figures as f
from htk_runtime.errors import DomainError

Params = dict[str, str]
Builder = Callable[[Reporting, Params, datetime], Awaitable[list[dict[str, Any]]]]


def _scope(r: Reporting, p: Params) -> str:
    return r.check_scope(p.get("scope") or "all")


def _node(r: Reporting, p: Params) -> str:
    return r.check_node(p.get("node") or "*")


async def coverage(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
    scope = _scope(r, p)
    return f.coverage_table(r.plan, await r.docs(scope=scope), scope, now)


async def needs_push(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
    scope = _scope(r, p)
    return f.needs_push_table(r.plan, await r.docs(scope=scope), scope, now)


async def counties(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
    node = _node(r, p)
    return f.county_table(r.geo, await r.docs(node=node), node, now)


async def municipalities(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
    node = _node(r, p)
    county = p.get("county") or None
    if county and county not in r.geo.county_names:
        raise DomainError(422, f"No wellbeing services county {county}", field="county")
    return f.municipality_table(r.geo, await r.docs(node=node), node, now, county)


async def freshness_sub_goals(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
    scope = _scope(r, p)
    return f.freshness_by_sub_goal(r.plan, await r.docs(scope=scope), scope, now)


async def freshness_counties(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
    node = _node(r, p)
    return f.freshness_by_county(r.geo, await r.docs(node=node), node, now)


def _series(period: str) -> Builder:
    async def build(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
        scope = _scope(r, p)
        cid = cell_id(_node(r, p), scope)
        live = await r.live()
        doc = await aggregates.cell(r.db, live, cid)
        key_docs = None
        if keeps_key_series(scope, period):
            key_docs = await aggregates.key_series(r.db, live, cid, period)
        return f.series(doc, key_docs, period, now, scope.startswith("municipality:"))

    return build


async def pipeline_table(r: Reporting, p: Params, now: datetime) -> list[dict[str, Any]]:
    data = await pipeline(r.db, now)
    return [
        {"measure": "drafts", "value": data["draft"]},
        {"measure": "submitted", "value": data["submitted"]},
        {"measure": "returned", "value": data["returned"]},
        *(
            {"measure": f"{group}:{k}", "value": v}
            for group in ("waiting_for_review", "reviews_last_year")
            for k, v in {
                **data[group]["by_wait"],
                "count": data[group]["count"],
                "median_days": data[group]["median_days"],
                "longest_days": data[group]["longest_days"],
            }.items()
        ),
    ]


PUBLIC: dict[str, Builder] = {
    "coverage": coverage,
    "needs-push": needs_push,
    "counties": counties,
    "municipalities": municipalities,
    "freshness-sub-goals": freshness_sub_goals,
    "freshness-counties": freshness_counties,
    "series-weeks": _series("weeks"),
    "series-months": _series("months"),
}
ALL_TABLES: dict[str, Builder] = {**PUBLIC, "pipeline": pipeline_table}
