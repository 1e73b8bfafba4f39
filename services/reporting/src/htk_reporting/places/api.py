"""Public place pages' data and the map: ``/places/...``. No login needed, like the figures."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from htk_reporting.api.downloads import Format, download
from htk_reporting.context import Ctx, Reporting
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.output.yearly import Lang
from htk_reporting.places.figures import (
    Place,
    find_place,
    municipality_names,
    place_page,
    population,
)
from htk_reporting.places.map import Level, Measure, map_data
from htk_reporting.places.schemas import MapData, PlacePage, PlacesIndex
from htk_reporting.schemas import table_file
from htk_runtime.errors import error_answers

router = APIRouter(prefix="/places", tags=["places"])


def _json_or_table(model: type, description: str) -> dict[int | str, dict[str, Any]]:
    """A figure as JSON, or with ``format`` as a CSV or XLSX file."""
    answer = table_file(description)
    return {200: {**answer, "model": model}, **error_answers(404)}


@router.get("", response_model=PlacesIndex, responses=error_answers())
async def places_index(r: Ctx) -> dict[str, Any]:
    """Every wellbeing services county with its municipalities and their population."""
    pop = population(r)
    counties = [
        {
            "code": c,
            "names": r.geo.county_names_i18n.get(c) or {"fi": name},
            "population": pop.of_county(c),
            "url": f"/places/county/{c}",
            # Its municipalities side by side for the regional welfare report (report_api).
            "report_url": f"/places/county/{c}/report",
            "municipalities": [
                {
                    "code": m,
                    "names": municipality_names(r, m),
                    "population": pop.of_municipality(m),
                    "url": f"/places/municipality/{m}",
                }
                for m in r.geo.municipalities_in(c)
            ],
        }
        for c, name in sorted(r.geo.county_names.items())
    ]
    return {
        "population_date": pop.date,
        "population_year": pop.year,
        "population": pop.total(),
        "counties": counties,
    }


@router.get("/map", response_model=None, responses=_json_or_table(MapData, "The map's data"))
async def place_map(
    r: Ctx,
    level: Level = "municipality",
    measure: Measure = "actions",
    node: str = WHOLE_PLAN,
    indicator: int | None = None,
    year: int | None = None,
    format: Format | None = None,
    lang: Lang | None = None,
) -> dict[str, Any] | Response:
    now = r.now()
    data = await map_data(r, level, measure, node, now, indicator, year)
    if format:
        rows = [{k: v for k, v in row.items() if k != "url"} for row in data["rows"]]
        return download(r, f"map-{level}-{measure}", rows, format, now, lang)
    return data


async def _page(
    r: Reporting, place: Place, format: Format | None, lang: Lang | None
) -> dict[str, Any] | Response:
    now = r.now()
    data = await place_page(r, place, now)
    if format:
        rows = [{k: v for k, v in row.items() if k != "actions_url"} for row in data["coverage"]]
        return download(r, f"place-{place.kind}-{place.code}", rows, format, now, lang)
    return data


@router.get("/finland", response_model=None, responses=_json_or_table(PlacePage, "Finland's page"))
async def finland(
    r: Ctx, format: Format | None = None, lang: Lang | None = None
) -> dict[str, Any] | Response:
    return await _page(r, find_place(r, "finland"), format, lang)


@router.get(
    "/county/{code}",
    response_model=None,
    responses=_json_or_table(PlacePage, "A county's page"),
)
async def county(
    r: Ctx, code: str, format: Format | None = None, lang: Lang | None = None
) -> dict[str, Any] | Response:
    return await _page(r, find_place(r, "county", code), format, lang)


@router.get(
    "/municipality/{code}",
    response_model=None,
    responses=_json_or_table(PlacePage, "A municipality's page"),
)
async def municipality(
    r: Ctx, code: str, format: Format | None = None, lang: Lang | None = None
) -> dict[str, Any] | Response:
    return await _page(r, find_place(r, "municipality", code), format, lang)


__all__ = ["router"]
