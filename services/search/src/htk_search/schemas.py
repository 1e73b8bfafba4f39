"""What the search API returns."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from htk_runtime.listing import Page


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
    # Highlighted by the coordinators as a good practice (community.practices.v1).
    good_practice: bool = False
    score: float
    highlights: dict[str, str] = {}


class FacetCount(BaseModel):
    value: str
    count: int
    label: str | None = None


class SearchResponse(Page[SearchHit]):
    """One page of published actions matching a search (the one list envelope), with the
    number of all matches and the facet counts (on the first page only)."""

    total: int
    facets: dict[str, list[FacetCount]] = Field(default_factory=dict)
    # Whether a county or municipality filter also matched national actions.
    include_national: bool = False


class SimilarActions(BaseModel):
    """The published actions most like one action or text, best first: a ranked answer of at
    most ``limit`` actions, not a list to page through."""

    total: int
    hits: list[SearchHit]


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
