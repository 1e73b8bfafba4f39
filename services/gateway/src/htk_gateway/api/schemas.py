"""The answers of the public API (``/api/v1``) as typed models: its published contract.

The gateway relays most answers from the services unchanged; these models are what it promises
to its callers, declared on each route as ``response_model`` so that the OpenAPI document shows
them. tests/security/test_public_api.py calls every operation and validates each JSON answer
against its model, so a service changing an answer's shape breaks a test rather than a client.

Models list the fields a client may rely on; a service may add fields (pydantic ignores them),
which is a compatible change. Lists use the one envelope, :class:`htk_runtime.listing.Page`.
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from htk_runtime.listing import Page

# -- actions ----------------------------------------------------------------------------------


class ActionContent(BaseModel):
    """What an organisation tells about its action (the body of a create or an edit)."""

    title: str
    summary: str
    description: str | None = None
    links: list[Any] = []
    organisation_id: str
    partner_organisation_ids: list[str] = []
    contact_member_id: str | None = None
    measures: list[str] = []
    national: bool = False
    counties: list[str] = []
    municipalities: list[str] = []
    place_detail: str | None = None
    target_groups: list[str] = []
    inequality_reduction: str | None = None
    inequality_dimensions: list[str] = []
    state: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    language: str | None = None


class Completeness(BaseModel):
    score: int = Field(description="0–100: how much of what makes an action findable is given")
    missing: list[str] = []
    checks: dict[str, bool] = {}


class ReviewComment(BaseModel):
    """Why a coordinator returned the action."""

    comment: str
    by: str | None = None
    at: datetime | None = None


class Action(BaseModel):
    """An action with its workflow state. ``version`` is also the ETag (send it as If-Match)."""

    id: str
    version: int
    status: str = Field(description="draft, submitted, returned, published or withdrawn")
    organisation_id: str
    content: ActionContent
    public: ActionContent | None = Field(
        default=None, description="The published content, when the action has been published"
    )
    review_comment: ReviewComment | None = None
    partner_requests: dict[str, Any] = {}
    pending_partners: list[str] = []
    completeness: Completeness | None = None
    timeliness: Any = None
    first_published_at: datetime | None = None
    confirmed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


ActionPage = Page[Action]


class PartnerRequestAnswer(BaseModel):
    id: str = Field(description="The action's id")
    partner_request: dict[str, Any]


class LinkConfirmationAnswer(BaseModel):
    id: str
    version: int
    confirmed_at: datetime | None = None
    already_confirmed: bool
    published: bool


class HistoryEntry(BaseModel):
    version: int
    status: str
    step: str
    by: str | None = None
    at: datetime
    comment: str | None = None


class ActionHistory(Page[HistoryEntry]):
    """Every version of an action, oldest first, in the one list envelope."""


class ActionDiff(BaseModel):
    from_: int = Field(alias="from")
    to: int
    changes: list[dict[str, Any]]


class PossibleDuplicates(BaseModel):
    """At most five published actions like a draft, best first (ranked, not paged)."""

    available: bool = Field(description="false while the search service cannot be asked")
    actions: list[dict[str, Any]]


class ImportReport(BaseModel):
    dry_run: bool
    rows: int
    valid_rows: int
    imported: int
    already_imported: int
    errors: list[dict[str, Any]]


# -- search -----------------------------------------------------------------------------------


class FacetCount(BaseModel):
    value: str
    count: int
    label: str | None = None


class SearchAnswer(Page[dict[str, Any]]):
    """One page of search results (the one list envelope), with the number of all matches and
    the facet counts (on the first page)."""

    total: int
    facets: dict[str, list[FacetCount]] = Field(default_factory=dict)
    include_national: bool = False


class SimilarAnswer(BaseModel):
    """The actions most like one action, best first (a ranked answer, not a list to page)."""

    total: int
    hits: list[dict[str, Any]]


class Suggestions(BaseModel):
    suggestions: list[dict[str, Any]]


class CommunitySearchAnswer(BaseModel):
    """News and events matching a search, best first (the newest first without text): a ranked
    answer of at most ``limit``, with the count of each type (``news``, ``event``)."""

    total: int
    hits: list[dict[str, Any]]
    types: list[dict[str, Any]]


# -- coverage and reports ---------------------------------------------------------------------


class Figures(BaseModel):
    """The common head of every coverage answer: which plan and when it was counted."""

    plan_version: int | None = None
    computed_at: datetime | None = None
    licence: str


class CoverageRows(Figures):
    scope: str | None = None
    scope_name: str | None = None
    node: str | None = None
    rows: list[dict[str, Any]]


class CoverageAt(CoverageRows):
    at: datetime


class CoverageFreshness(Figures):
    by: str
    fresh_months: int
    stale_months: int
    rows: list[dict[str, Any]]


class CoverageSeries(CoverageRows):
    period: str


class CoveragePlaces(CoverageRows):
    level: str


class CoverageActions(Page[dict[str, Any]]):
    """One page of the published actions a figure counts, with how many there are."""

    plan_version: int | None = None
    computed_at: datetime | None = None
    licence: str
    node: str
    scope: str
    total: int


class Pipeline(Figures):
    draft: int
    submitted: int
    returned: int
    waiting_for_review: dict[str, Any]
    reviews_last_year: dict[str, Any]


class DialogueRow(BaseModel):
    key: str = Field(description="Sub-goal code, county code or month (YYYY-MM, Finnish time)")
    threads: int
    messages: int


class DialogueAnswer(BaseModel):
    """Where dialogue is active: threads and messages of the discussions in total, per sub-goal
    (plan order), per county and per month (coordinators)."""

    total: DialogueRow
    sub_goals: list[DialogueRow]
    counties: list[DialogueRow]
    months: list[DialogueRow]


class ExportList(BaseModel):
    tables: list[str]
    formats: list[str]


class Snapshot(BaseModel):
    """A frozen copy of the year's figures, which a yearly report can be read from."""

    snapshot_id: str
    year: int
    label: str | None = None
    frozen_at: datetime
    plan_version: int | None = None
    cells: int
    actions: int


class SnapshotList(BaseModel):
    snapshots: list[Snapshot]


class OpenDataIndex(BaseModel):
    licence: str
    licence_url: str
    attribution: str
    plan_version: int | None = None
    tables: list[str] = Field(description="Paths of the open tables, with their formats")


class OpenActions(BaseModel):
    licence: str
    licence_url: str
    computed_at: datetime | None = None
    actions: list[dict[str, Any]]


# -- plan -------------------------------------------------------------------------------------


class PlanVersion(BaseModel):
    version: int
    created_at: datetime
    created_by: str
    change: str
    reason: str = ""
    example: bool = False
    notice: str | None = None


class PlanTree(PlanVersion):
    counts: dict[str, int]
    current: bool
    priorities: list[dict[str, Any]] = Field(
        description="Priorities with their sub-goals and measures"
    )


class PlanNode(BaseModel):
    code: str
    level: str
    name: dict[str, str]
    description: str = ""
    responsible: list[str] = []
    state: str
    merged_into: str | None = None
    example: bool = False


class PlanNodeAnswer(BaseModel):
    version: int
    example: bool
    node: PlanNode


class PlanChange(BaseModel):
    """A change to the plan: the new plan version and the node changed."""

    plan: PlanVersion
    node: dict[str, Any] | None = None


class PlanImport(BaseModel):
    """A dry run's report (``dry_run``, ``counts``, ``changes``) or the new plan version."""

    dry_run: bool = False
    version: int | None = None
    counts: dict[str, int] = {}
    changes: dict[str, list[str]] = {}
    errors: list[dict[str, Any]] = []


# -- organisations and places -----------------------------------------------------------------


class Organisation(BaseModel):
    id: str
    name_fi: str
    name_sv: str | None = None
    type: str
    business_id: str | None = None
    municipality: str | None = None
    county: str | None = None
    website: str | None = None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class Area(BaseModel):
    """A wellbeing services county or a municipality."""

    code: str
    name_fi: str
    name_sv: str | None = None
    name_en: str | None = None
    county_code: str | None = Field(default=None, description="Municipalities only")
    region_code: str | None = Field(default=None, description="Municipalities only")


class PlaceIndex(BaseModel):
    population_date: date | None = None
    population_year: int | None = None
    population: int | None = None
    counties: list[dict[str, Any]]


class PlaceFigures(Figures):
    place: dict[str, Any]
    totals: dict[str, Any]
    actions: dict[str, Any]
    organisations: list[dict[str, Any]]
    coverage: list[dict[str, Any]]


class CountyReport(Figures):
    """A county's report: every municipality side by side, then the county as a whole."""

    county: dict[str, Any]
    municipalities: list[dict[str, Any]]
    sub_goals: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    example_indicators: bool
    indicator_source: str
    population_date: str | None = None
    population_year: int | None = None


class PlaceMap(Figures):
    level: str
    measure: str
    node: str
    legend: list[dict[str, Any]]
    rows: list[dict[str, Any]]


class Indicator(BaseModel):
    id: int
    title: dict[str, str] = {}
    organisation: str | None = None
    unit: dict[str, str] = {}
    example: bool = False
    sub_goals: list[str] = Field(default=[], description="Sub-goals this indicator measures")
    years: list[int] = []
    version: int | None = None


class Indicators(Page[Indicator]):
    """One page of the welfare indicators, by id, with their source and licence."""

    source: str
    licence: str


class NeedFigures(Figures):
    indicator: dict[str, Any]
    year: int | None = None
    node: str
    level: str
    source: str
    rows: list[dict[str, Any]]


# -- the caller -------------------------------------------------------------------------------


class Me(BaseModel):
    member_id: str
    name: str | None = None
    language: str
    coordinator: bool
    organisations: dict[str, str] = Field(description="Organisation id → role (member, admin)")
    pending_organisations: list[Any] = []
    csrf_token: str = Field(description="Send as X-CSRF-Token with the session's writes")


class MyData(BaseModel):
    """Everything the platform holds about the caller, by service."""

    model_config = {"extra": "allow"}

    member_id: str
    catalogue: dict[str, Any] | None = None


class Erased(BaseModel):
    member_id: str
    erased: bool


class Sent(BaseModel):
    message: str


# -- files ------------------------------------------------------------------------------------


def file_answer(*media_types: str, description: str = "The file") -> dict[int | str, Any]:
    """``responses=`` for a route answering a file rather than JSON."""
    return {200: {"description": description, "content": {t: {} for t in media_types}}}


SPREADSHEET = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
