"""What the search API returns."""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class SearchHit(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action_id: str
    version: int
    title: str
    summary: str
    language: str
    state: str
    organisation_id: str
    organisation_name: str | None = None
    partner_organisation_ids: list[str] = []
    priorities: list[str]
    sub_goals: list[str]
    measures: list[str]
    national: bool
    counties: list[str]
    municipalities: list[str]
    target_groups: list[str] = []
    inequality_dimensions: list[str] = []
    start_date: str | None = None
    end_date: str | None = None
    published_at: str
    updated_at: str
    score: float
    highlights: dict[str, str] = {}


class FacetCount(BaseModel):
    value: str
    count: int
    label: str | None = None


class SearchResponse(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetCount]] = {}
    next_cursor: str | None = None
    # Whether a county or municipality filter also matched national actions.
    include_national: bool = False


class Suggestion(BaseModel):
    text: str
    kind: Literal["title", "organisation", "measure"]
    value: str | None = None  # the organisation id or measure code, to filter by


class SuggestResponse(BaseModel):
    suggestions: list[Suggestion]


class ReindexStatus(BaseModel):
    job_id: str
    state: Literal["queued", "running", "done", "failed"]
    total: int = 0
    done: int = 0
    count: int | None = None
    error: str | None = None
