"""The figures of the map: one value per municipality or county, its class on the legend, and
the region's shape (or dot) to draw. Colours are the page's business; classes are decided here
so that the map, its legend and its table agree."""

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from htk_reporting.context import Reporting
from htk_reporting.model.contribution import cell_id
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.places.figures import cells, municipality_names, place_url, population
from htk_reporting.places.geometry import frame
from htk_reporting.places.indicator_values import year_values
from htk_reporting.places.population import per_10000
from htk_runtime.errors import DomainError

Level = Literal["municipality", "county"]
Measure = Literal["actions", "per_10000", "gaps", "indicator"]
CLASSES = 4


def breaks(values: list[float]) -> list[float]:
    """Upper bounds of the classes above zero: quartiles of the positive values, distinct."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    bounds = [positive[min(len(positive) - 1, (len(positive) * i) // CLASSES)]
              for i in range(1, CLASSES)]  # fmt: skip
    return sorted({*bounds, positive[-1]})


def class_of(value: float | None, bounds: list[float]) -> str:
    if value is None:
        return "no_data"
    if value <= 0:
        return "c0"
    for i, bound in enumerate(bounds, start=1):
        if value <= bound:
            return f"c{i}"
    return f"c{len(bounds)}"


def legend(bounds: list[float]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"class": "c0", "low": 0, "high": 0}]
    low: float = 0
    for i, bound in enumerate(bounds, start=1):
        out.append({"class": f"c{i}", "low": low, "high": bound})
        low = bound
    return out


async def map_data(
    r: Reporting,
    level: Level,
    measure: Measure,
    node: str,
    now: datetime,
    indicator: int | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """``indicator`` (with ``measure=indicator``) colours by that indicator's value in ``year``
    (its latest by default) instead of by actions; the actions stay in every row beside it."""
    r.check_node(node)
    chosen: dict[str, Any] | None = None
    need: dict[str, float] = {}
    if measure == "indicator":
        if indicator is None:
            raise DomainError(422, "the indicator measure needs an indicator", field="indicator")
        ind, year, need = await year_values(r, indicator, level, year)
        chosen = {
            "id": ind["_id"],
            "title": ind.get("title", {}),
            "unit": ind.get("unit", {}),
            "organisation": ind.get("organisation"),
            # Made-up demo values must be marked wherever they are drawn.
            "example": bool(ind.get("example")),
            "year": year,
        }
    if measure == "gaps":
        if node == WHOLE_PLAN:
            raise DomainError(422, "gaps need a sub-goal: choose node", field="node")
        level_of = r.plan.nodes.get(node)
        if level_of is not None and level_of.level != "sub_goal":
            raise DomainError(422, f"{node} is not a sub-goal", field="node")
    pop = population(r)
    docs = await cells(
        r, [cell_id(node, f"{level}:{c}") for c in (
            sorted(r.geo.county_of) if level == "municipality" else sorted(r.geo.county_names))]
    )  # fmt: skip
    if level == "municipality":
        items = [(m, municipality_names(r, m), pop.of_municipality(m))
                 for m in sorted(r.geo.county_of)]  # fmt: skip
    else:
        items = [
            (c, r.geo.county_names_i18n.get(c) or {"fi": n}, pop.of_county(c))
            for c, n in sorted(r.geo.county_names.items())
        ]
    rows: list[dict[str, Any]] = []
    for code, names, people in items:
        actions = int((docs.get(cell_id(node, f"{level}:{code}")) or {}).get("actions", 0))
        rate = per_10000(actions, people)
        value: float | None = {
            "actions": actions,
            "per_10000": rate,
            "gaps": int(actions == 0),
            "indicator": need.get(code),
        }[measure]
        rows.append(
            {
                "code": code,
                "name": names.get("fi", code),
                "names": names,
                "population": people,
                "actions": actions,
                "per_10000": rate,
                "gap": actions == 0,
                "value": value,
                "indicator_value": need.get(code) if chosen else None,
                "url": place_url(level, code),
            }
        )
    if measure == "gaps":
        for row in rows:
            row["class"] = "gap" if row["gap"] else "covered"
        keys: list[dict[str, Any]] = [{"class": "gap"}, {"class": "covered"}]
    else:
        bounds = breaks([row["value"] for row in rows if row["value"] is not None])
        for row in rows:
            row["class"] = class_of(row["value"], bounds)
        keys = legend(bounds)
    shapes = frame(level, r.geo, r.settings.reporting_data_dir, r.settings.reporting_boundaries_dir)
    return {
        **r.meta(now),
        "level": level,
        "measure": measure,
        "node": node,
        "indicator": chosen,
        "population_date": pop.date,
        "population_year": pop.year,
        "legend": keys,
        "rows": rows,
        "shapes": {
            "kind": shapes.kind,
            "width": shapes.width,
            "height": shapes.height,
            "regions": [asdict(region) for region in shapes.regions],
        },
        "attribution": shapes.attribution,
    }
