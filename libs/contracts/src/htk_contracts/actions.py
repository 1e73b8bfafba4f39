"""Events of ``submissions.actions.v1``. Only public data: no drafts, no contact persons."""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ACTION_PUBLISHED = "fi.htk.action.published.v1"
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


class PublicAction(BaseModel):
    """The public snapshot of a published action, as search and reporting see it."""

    model_config = ConfigDict(extra="forbid")

    action_id: str
    version: int = Field(ge=1)
    title: str
    summary: str
    inequality_reduction: str = Field(description="How the action reduces inequality.")
    language: Language
    state: ActionState
    organisation_id: str
    measures: list[str] = Field(min_length=1, description="Measure codes, e.g. 3.2.4")
    sub_goals: list[str] = Field(description="Derived from the measures, e.g. 3.2")
    priorities: list[str] = Field(description="Derived from the measures, e.g. 3")
    national: bool = False
    counties: list[str] = Field(default_factory=list, description="Wellbeing services counties")
    municipalities: list[str] = Field(default_factory=list, description="Municipality codes")
    published_at: datetime


class ActionPublished(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["published"] = "published"
    action: PublicAction


class ActionWithdrawn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["withdrawn"] = "withdrawn"
    action_id: str
    withdrawn_at: datetime
