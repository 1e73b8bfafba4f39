"""What the submissions routes answer. Request bodies are ``domain.ActionContent`` and the
small models next to their routes in ``api.py``."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from htk_contracts.actions import PublicAction
from htk_runtime.freshness import Freshness
from htk_submissions.workflow import Status


class Completeness(BaseModel):
    score: int = Field(description="0 to 100")
    missing: list[str] = Field(description="What is missing, in English words")
    checks: dict[str, bool] = Field(description="Each check and whether it is met")


class PartnerRequestState(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["pending", "approved", "rejected"]
    requested_by: str | None = None
    at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


class ReviewComment(BaseModel):
    comment: str
    by: str
    at: datetime


class ActionOut(BaseModel):
    """The working copy, for the owning organisation's members and coordinators. Its version
    is also in the ``ETag`` header, to send back in ``If-Match``."""

    id: str
    version: int
    status: Status
    organisation_id: str
    content: dict[str, Any] = Field(description="As sent (ActionContent), normalised")
    public: PublicAction | None = Field(description="The published snapshot; null until then")
    review_comment: ReviewComment | None = None
    partner_requests: dict[str, PartnerRequestState] = Field(
        default_factory=dict, description="Requests to join as a partner, by organisation id"
    )
    pending_partners: list[str] = Field(default_factory=list)
    completeness: Completeness
    timeliness: Freshness | None = Field(description="Null until confirmed")
    first_published_at: datetime | None = None
    confirmed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class PublicActionOut(PublicAction):
    """A published action as everyone sees it (someone outside its organisation)."""

    model_config = ConfigDict(extra="ignore")

    id: str


class HistoryEntry(BaseModel):
    version: int
    status: Status
    step: str = Field(description="The workflow step (or edit) that made this version")
    by: str | None = Field(description="Member id of who took it")
    at: datetime
    comment: str | None = None


class FieldChange(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str
    before: Any = None
    after: Any = None
    added: list[Any] | None = Field(default=None, description="For lists: values added")
    removed: list[Any] | None = Field(default=None, description="For lists: values removed")


class VersionDiff(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_version: int = Field(alias="from")
    to_version: int = Field(alias="to")
    changes: list[FieldChange]


class LinkConfirmed(BaseModel):
    id: str
    version: int
    confirmed_at: datetime | None
    already_confirmed: bool = Field(description="True when the link had been used already")
    published: bool


class PartnerRequested(BaseModel):
    id: str
    partner_request: PartnerRequestState


class LikelyDuplicate(BaseModel):
    action_id: str
    title: str
    summary: str
    organisation_id: str
    score: float


class PossibleDuplicates(BaseModel):
    """At most five published actions like a draft, best first (a ranked answer, not a list
    to page through)."""

    available: bool = Field(description="False while the search service does not answer")
    actions: list[LikelyDuplicate]


class RowError(BaseModel):
    model_config = ConfigDict(extra="allow")

    row: int
    column: str
    type: str = ""
    message: str


class ImportResult(BaseModel):
    dry_run: bool
    rows: int
    valid_rows: int
    imported: int
    already_imported: int
    errors: list[RowError] = Field(description="Every error by row and column")


class ActionBrief(BaseModel):
    id: str
    title: str | None
    organisation_id: str | None
    status: str | None
    created_at: datetime | None


class StepTaken(BaseModel):
    action_id: str
    version: int
    step: str
    at: datetime
    comment: str | None = None


class PersonalDataOut(BaseModel):
    """What submissions holds about one person."""

    actions_created: list[ActionBrief]
    contact_of: list[ActionBrief]
    steps: list[StepTaken]
