"""Municipalities valid in 2026 and the wellbeing services counties, for pickers and checks.

The lists are reference data held in memory, paged by code like every other list."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from htk_catalogue.catalogue import CatalogueDep
from htk_catalogue.geography_schemas import County, CountyDetail, Municipality
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.geography import Place
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of

router = APIRouter(prefix="/geography", tags=["geography"])


def _after(places: Any, cursor: str | None, limit: int) -> Page[Place]:
    """Up to ``limit`` places by code after the cursor's code."""
    position = decode_cursor(cursor) or {}
    after = position.get("code", "")
    if not isinstance(after, str):
        raise DomainError(422, "The cursor is not valid; start again from the first page", "cursor")
    ordered = sorted((p for p in places if p.code > after), key=lambda p: p.code)
    return page_of(ordered[: limit + 1], limit, lambda p: {"code": p.code})


@router.get("/counties", responses=error_answers())
async def counties(
    catalogue: CatalogueDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[County]:
    page = _after(catalogue.geography.counties.values(), cursor, limit)
    return Page[County](
        items=[County.model_validate(asdict(c)) for c in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get("/counties/{code}", response_model=CountyDetail, responses=error_answers(404))
async def county(code: str, catalogue: CatalogueDep) -> CountyDetail:
    place = catalogue.geography.counties.get(code)
    if place is None:
        raise DomainError(404, f"{code} is not a wellbeing services county code", field="code")
    return CountyDetail(
        code=place.code,
        name_fi=place.name_fi,
        name_sv=place.name_sv,
        name_en=place.name_en,
        municipalities=[m.code for m in catalogue.geography.municipalities_of(code)],
    )


@router.get("/municipalities", responses=error_answers())
async def municipalities(
    catalogue: CatalogueDep,
    county: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[Municipality]:
    if county is not None and county not in catalogue.geography.counties:
        raise DomainError(422, f"{county} is not a wellbeing services county code", field="county")
    places = (
        catalogue.geography.municipalities_of(county)
        if county
        else catalogue.geography.municipalities.values()
    )
    page = _after(places, cursor, limit)
    return Page[Municipality](
        items=[Municipality.model_validate(asdict(m)) for m in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get("/municipalities/{code}", response_model=Municipality, responses=error_answers(404))
async def municipality(code: str, catalogue: CatalogueDep) -> Municipality:
    place = catalogue.geography.municipalities.get(code)
    if place is None:
        raise DomainError(404, f"{code} is not a municipality code valid in 2026", field="code")
    return Municipality.model_validate(asdict(place))
