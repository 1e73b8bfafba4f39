"""What reporting's routes answer. The figures' rows are documented by their table
(``tables.py``, ``figures.py``); here is the shape around them, which every answer shares."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from htk_runtime.listing import Page

Rows = list[dict[str, Any]]


class Meta(BaseModel):
    """Said with every figure: which plan version it counts under, when, and its licence."""

    plan_version: int
    computed_at: str = Field(description="ISO 8601, UTC")
    licence: str


class CoverageTable(Meta):
    scope: str
    scope_name: str | None = None
    rows: Rows = Field(description="One row per plan node: actions, organisations, freshness")


class NeedsPush(Meta):
    scope: str
    rows: Rows = Field(description="Sub-goals and measures with few or ageing actions")


class PlaceCoverage(Meta):
    node: str
    level: Literal["county", "municipality"]
    rows: Rows = Field(description="One row per county or municipality")


class FreshnessTable(Meta):
    by: Literal["sub_goal", "county"]
    fresh_months: int
    stale_months: int
    rows: Rows


class SeriesTable(Meta):
    node: str
    scope: str
    period: Literal["weeks", "months"]
    rows: Rows = Field(description="One row per week or month")


class CoverageAt(Meta):
    at: str = Field(description="The end of this date, ISO 8601")
    scope: str
    rows: Rows


class ActionBehind(BaseModel):
    action_id: str
    version: int
    title: str
    organisation_id: str
    org_type: str
    confirmed_at: str = Field(description="ISO 8601")
    freshness: str = Field(description="fresh, ageing or stale")


class ActionsBehind(Page[ActionBehind]):
    """One page of the published actions a figure counts, by id, with how many there are."""

    plan_version: int
    computed_at: str
    licence: str
    node: str
    scope: str
    total: int


class WaitDistribution(BaseModel):
    count: int
    by_wait: dict[str, int]
    median_days: float | None
    longest_days: float | None


class Pipeline(Meta):
    draft: int
    submitted: int
    returned: int
    waiting_for_review: WaitDistribution
    reviews_last_year: WaitDistribution


class ExportIndex(BaseModel):
    tables: list[str]
    formats: list[str]


class SnapshotSummary(BaseModel):
    snapshot_id: str
    year: int
    label: str
    frozen_at: str = Field(description="ISO 8601")
    plan_version: int
    cells: int
    actions: int


class SnapshotCoverage(SnapshotSummary):
    scope: str
    rows: Rows


class YearlyReport(BaseModel):
    """The data of a yearly report (``format=json``); the page and PDF show the same."""

    year: int
    plan_version: int
    computed_at: str
    snapshot_id: str | None = Field(description="Null for a preliminary report")
    total: dict[str, Any]
    priorities: Rows
    regions: Rows
    changes: dict[str, Any]


class OpenDataIndex(BaseModel):
    licence: str
    licence_url: str
    attribution: str
    plan_version: int
    tables: list[str] = Field(description="Address patterns of the downloadable tables")


class OpenDataActions(BaseModel):
    """Every published action as open data: one file, the whole dataset by design."""

    licence: str
    licence_url: str
    computed_at: str
    actions: Rows


# Answers that are files: their media types, for ``responses=``.
BINARY = {"schema": {"type": "string", "format": "binary"}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_file(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/csv": BINARY, XLSX: BINARY}}
