"""What the place pages' data, the map and the indicators answer."""

from typing import Any

from pydantic import BaseModel, Field

from htk_reporting.schemas import Meta, Rows
from htk_runtime.listing import Page

Names = dict[str, str]


class MunicipalityEntry(BaseModel):
    code: str
    names: Names
    population: int | None
    url: str


class CountyEntry(BaseModel):
    code: str
    names: Names
    population: int | None
    url: str
    municipalities: list[MunicipalityEntry]


class PlacesIndex(BaseModel):
    """Every wellbeing services county with its municipalities and their population."""

    population_date: str | None
    population_year: int | None
    population: int | None
    counties: list[CountyEntry]


class MapData(Meta):
    level: str
    measure: str
    node: str
    population_date: str | None
    population_year: int | None
    legend: list[Any]
    rows: Rows = Field(description="One row per place: its figure and its page")
    shapes: dict[str, Any] = Field(description="The regions to draw, in the map's coordinates")
    attribution: str | None = None


class PlacePage(Meta):
    """A place's page: its totals, actions, organisations and coverage of the plan."""

    place: dict[str, Any]
    totals: dict[str, Any]
    actions: Rows
    organisations: Rows
    coverage: Rows
    gaps: Rows = Field(description="Plan nodes without actions here")
    parts: Rows
    series: Rows
    indicators: Rows
    no_data: str = Field(description="The value that stands for 'no data'")


class Indicator(BaseModel):
    id: int
    title: Names
    organisation: str | None = None
    unit: Names
    example: bool = Field(description="Example data, not real figures")
    sub_goals: list[str]
    years: list[int]
    version: int | None = None


class Indicators(Page[Indicator]):
    """One page of the welfare indicators, by id."""

    source: str
    licence: str


class NeedRow(BaseModel):
    code: str
    names: Names
    value: float | None = Field(description="Null: no data (never read as zero)")
    actions: int
    per_10000: float | None
    population: int | None
    url: str


class NeedNextToActivity(Meta):
    indicator: Indicator
    year: int | None
    node: str
    level: str
    source: str
    population_year: int | None
    rows: list[NeedRow]


class CountyReport(Meta):
    """A county's report: its municipalities side by side, then the county as a whole."""

    county: dict[str, Any] = Field(description="The county's own row, with county_wide")
    municipalities: Rows = Field(description="One row per municipality, as the place pages")
    sub_goals: Rows
    measures: Rows
    indicators: Rows
    example_indicators: bool = Field(description="Some indicators are example data")
    indicator_source: str
    population_date: str | None
    population_year: int | None
