"""Indicators: the list, need next to activity, and coordinators linking an indicator to the
sub-goals it concerns. Example data is marked ``example`` in every answer that carries it."""

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from htk_reporting.context import Ctx
from htk_reporting.model.contribution import cell_id
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.places import indicator_store as istore
from htk_reporting.places.figures import cells, municipality_names, place_url, population
from htk_reporting.places.indicator_values import year_values
from htk_reporting.places.indicators import LICENCE, SOURCE
from htk_reporting.places.population import per_10000
from htk_reporting.places.schemas import Indicator, Indicators, NeedNextToActivity
from htk_runtime.auth import Coordinator
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.keyset import position_of
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page_of

router = APIRouter(prefix="/indicators", tags=["indicators"])


def _public(ind: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ind["_id"],
        "title": ind.get("title", {}),
        "organisation": ind.get("organisation"),
        "unit": ind.get("unit", {}),
        "example": bool(ind.get("example")),
        "sub_goals": ind.get("sub_goals", []),
        "years": ind.get("years", []),
        "version": ind.get("version"),
    }


@router.get("", responses=error_answers())
async def list_indicators(
    r: Ctx, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Indicators:
    found = await istore.indicators(r.db, limit, decode_cursor(cursor))
    page = page_of(found, limit, lambda i: position_of(i, istore.BY_ID))
    return Indicators(
        source=SOURCE,
        licence=LICENCE,
        items=[Indicator.model_validate(_public(i)) for i in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get("/need", response_model=NeedNextToActivity, responses=error_answers(404))
async def need_next_to_activity(
    r: Ctx,
    indicator: int,
    node: str = WHOLE_PLAN,
    level: Literal["municipality", "county"] = "municipality",
    year: int | None = None,
) -> dict[str, Any]:
    """Places ordered by the indicator (highest first) with their actions under ``node`` beside:
    two figures side by side, never one score."""
    r.check_node(node)
    ind, year, vals = await year_values(r, indicator, level, year)
    docs = await cells(
        r, [cell_id(node, f"{level}:{c}") for c in (
            sorted(r.geo.county_of) if level == "municipality" else sorted(r.geo.county_names))]
    )  # fmt: skip
    pop = population(r)
    if level == "municipality":
        items = [(m, municipality_names(r, m), pop.of_municipality(m))
                 for m in sorted(r.geo.county_of)]  # fmt: skip
    else:
        items = [(c, r.geo.county_names_i18n.get(c) or {"fi": n}, pop.of_county(c))
                 for c, n in sorted(r.geo.county_names.items())]  # fmt: skip
    rows: list[dict[str, Any]] = []
    for code, names, people in items:
        actions = int((docs.get(cell_id(node, f"{level}:{code}")) or {}).get("actions", 0))
        rows.append(
            {
                "code": code,
                "names": names,
                "value": vals.get(code),
                "actions": actions,
                "per_10000": per_10000(actions, people),
                "population": people,
                "url": place_url(level, code),
            }
        )
    # Highest need first; places without a value ("no data") last, never read as zero.
    rows.sort(key=lambda row: (row["value"] is None, -(row["value"] or 0), row["code"]))
    return {
        **r.meta(r.now()),
        "indicator": _public(ind),
        "year": year,
        "node": node,
        "level": level,
        "source": SOURCE,
        "population_year": pop.year,
        "rows": rows,
    }


class SubGoalLinks(BaseModel):
    sub_goals: list[str] = Field(max_length=200)


@router.put(
    "/{indicator}/sub-goals", response_model=Indicator, responses=error_answers(401, 403, 404)
)
async def link_sub_goals(
    r: Ctx, indicator: int, body: SubGoalLinks, _: Coordinator
) -> dict[str, Any]:
    if await istore.indicator(r.db, indicator) is None:
        raise DomainError(404, f"No indicator {indicator}", field="indicator")
    for code in body.sub_goals:
        node = r.plan.nodes.get(code)
        if node is None or node.level != "sub_goal":
            raise DomainError(422, f"{code} is not a sub-goal of the plan", field="sub_goals")
    await istore.link_sub_goals(r.db, indicator, sorted(set(body.sub_goals)))
    found = await istore.indicator(r.db, indicator)
    assert found is not None
    return _public(found)
