"""Municipalities valid in 2026 and the wellbeing services counties, for pickers and checks."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from htk_catalogue.catalogue import CatalogueDep
from htk_runtime.errors import DomainError

router = APIRouter(prefix="/geography", tags=["geography"])


@router.get("/counties")
async def counties(catalogue: CatalogueDep) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in asdict(c).items() if k not in ("county_code", "region_code")}
        for c in catalogue.geography.counties.values()
    ]


@router.get("/counties/{code}")
async def county(code: str, catalogue: CatalogueDep) -> dict[str, Any]:
    place = catalogue.geography.counties.get(code)
    if place is None:
        raise DomainError(404, f"{code} is not a wellbeing services county code", field="code")
    return {
        "code": place.code,
        "name_fi": place.name_fi,
        "name_sv": place.name_sv,
        "name_en": place.name_en,
        "municipalities": [m.code for m in catalogue.geography.municipalities_of(code)],
    }


@router.get("/municipalities")
async def municipalities(
    catalogue: CatalogueDep,
    county: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
) -> list[dict[str, Any]]:
    if county is not None and county not in catalogue.geography.counties:
        raise DomainError(422, f"{county} is not a wellbeing services county code", field="county")
    places = (
        catalogue.geography.municipalities_of(county)
        if county
        else catalogue.geography.municipalities.values()
    )
    return [asdict(m) for m in places]


@router.get("/municipalities/{code}")
async def municipality(code: str, catalogue: CatalogueDep) -> dict[str, Any]:
    place = catalogue.geography.municipalities.get(code)
    if place is None:
        raise DomainError(404, f"{code} is not a municipality code valid in 2026", field="code")
    return asdict(place)
