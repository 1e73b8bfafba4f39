"""Events of ``submissions.actions.v1`` (key: action id).

Only public data travels here: no draft content, no contact persons. Every event carries the
action's version as ``aggregateversion``; it grows with every change of any kind, so consumers
apply an event only if it is newer than what they hold.

Kinds, told apart by ``data.kind``:
- ``drafted``: a draft exists (ids and time only, for the pipeline count);
- ``submitted``: sent for review; ``returned``: sent back to the submitter with a comment;
- ``published``: first publication, with the full public snapshot;
- ``updated``: a published action changed or was confirmed, with the full public snapshot;
- ``withdrawn``: no longer public.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ACTION_DRAFTED = "fi.htk.action.drafted.v1"
ACTION_SUBMITTED = "fi.htk.action.submitted.v1"
ACTION_RETURNED = "fi.htk.action.returned.v1"
ACTION_PUBLISHED = "fi.htk.action.published.v1"
ACTION_UPDATED = "fi.htk.action.updated.v1"
ACTION_WITHDRAWN = "fi.htk.action.withdrawn.v1"


class Language(StrEnum):
    FI = "fi"
    SV = "sv"
    EN = "en"


class ActionState(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


class TargetGroup(StrEnum):
    WHOLE_POPULATION = "whole_population"
    CHILDREN = "children"
    YOUNG_PEOPLE = "young_people"
    FAMILIES = "families_with_children"
    WORKING_AGE = "working_age"
    UNEMPLOYED = "unemployed"
    OLDER_PEOPLE = "older_people"
    PEOPLE_WITH_DISABILITIES = "people_with_disabilities"
    LOW_INCOME = "low_income"
    IMMIGRANTS = "immigrants"
    MINORITIES = "language_and_cultural_minorities"
    PROFESSIONALS = "professionals"
    OTHER = "other"


class InequalityDimension(StrEnum):
    SOCIOECONOMIC = "socioeconomic"
    REGIONAL = "regional"
    AGE = "age"
    GENDER = "gender"
    DISABILITY = "disability"
    LANGUAGE = "language"
    ORIGIN = "origin"
    OTHER = "other"


class LinkKind(StrEnum):
    INNOKYLA = "innokyla"
    OTHER = "other"


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    kind: LinkKind = LinkKind.OTHER
    title: str | None = None


class PublicAction(BaseModel):
    """The public snapshot of a published action, as search and reporting see it."""

    model_config = ConfigDict(extra="forbid")

    action_id: str
    version: int = Field(ge=1)
    title: str
    summary: str
    description: str | None = Field(default=None, description="Sanitised Markdown")
    links: list[Link] = Field(default_factory=list)
    language: Language
    state: ActionState
    organisation_id: str
    partner_organisation_ids: list[str] = Field(default_factory=list)
    plan_version: int = Field(ge=1, description="The plan version the measure codes refer to")
    measures: list[str] = Field(min_length=1, description="Measure codes, e.g. 3.2.4")
    sub_goals: list[str] = Field(description="Derived from the measures, e.g. 3.2")
    priorities: list[str] = Field(description="Derived from the measures, e.g. 3")
    national: bool = False
    counties: list[str] = Field(default_factory=list, description="Wellbeing services counties")
    municipalities: list[str] = Field(default_factory=list, description="Municipality codes")
    place_detail: str | None = Field(default=None, description="A district or village, free text")
    target_groups: list[TargetGroup] = Field(default_factory=list)
    inequality_reduction: str = Field(description="How the action reduces inequality")
    inequality_dimensions: list[InequalityDimension] = Field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    published_at: datetime = Field(description="When it was first published")
    updated_at: datetime = Field(description="When its public content last changed")
    confirmed_at: datetime = Field(
        description="When its organisation last confirmed or updated it (freshness)"
    )


class ActionDrafted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["drafted"] = "drafted"
    action_id: str
    organisation_id: str
    at: datetime


class ActionSubmitted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["submitted"] = "submitted"
    action_id: str
    organisation_id: str
    at: datetime


class ActionReturned(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["returned"] = "returned"
    action_id: str
    organisation_id: str
    at: datetime


class ActionPublished(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["published"] = "published"
    action: PublicAction


class ActionUpdated(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["updated"] = "updated"
    action: PublicAction


class ActionWithdrawn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["withdrawn"] = "withdrawn"
    action_id: str
    organisation_id: str
    at: datetime


ActionEvent = Annotated[
    ActionDrafted
    | ActionSubmitted
    | ActionReturned
    | ActionPublished
    | ActionUpdated
    | ActionWithdrawn,
    Field(discriminator="kind"),
]
