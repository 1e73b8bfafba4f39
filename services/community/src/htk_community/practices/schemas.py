"""Request and response models of the good-practice routes."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from htk_contracts.actions import Language


class ExperienceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action_id: str = Field(min_length=1, max_length=100)
    organisation_id: str = Field(min_length=1, max_length=100, description="One of yours")
    language: Language
    what_worked: str = Field(min_length=1, max_length=3000)
    what_did_not: str = Field(default="", max_length=3000)
    for_whom: str = Field(min_length=1, max_length=1000)


class ExperienceOut(BaseModel):
    experience_id: str
    action_id: str
    action_title: str
    organisation_id: str
    organisation_name: str = Field(description="Its Finnish name, as the catalogue has it")
    organisation_name_sv: str | None = None
    language: Language
    what_worked: str
    what_did_not: str
    for_whom: str
    shared_at: datetime


class HighlightIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    highlighted: bool
    reason: str = Field(default="", max_length=1000)


class HighlightOut(BaseModel):
    action_id: str
    action_title: str
    highlighted: bool
    reason: str
    at: datetime
