"""Request and response models of the event routes."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from htk_community.news.schemas import SubGoal
from htk_contracts.actions import Language
from htk_contracts.catalogue import OrganisationType
from htk_contracts.community_news import EventKind, EventState


def _web_address(value: str | None) -> str | None:
    # Only web addresses: a javascript: or data: link in a calendar or a page is an attack.
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.lower().startswith("https://") or text.lower().startswith("http://")):
        raise ValueError("must be a web address starting with https:// or http://")
    if any(c.isspace() for c in text) or len(text) < 11:
        raise ValueError("must be a single web address without spaces")
    return text


WebAddress = Annotated[
    str | None, Field(default=None, max_length=500), AfterValidator(_web_address)
]
County = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]


class EventIn(BaseModel):
    """An event as it is announced. Times are aware; a time without an offset is Finnish time
    (the form's ``datetime-local``)."""

    model_config = ConfigDict(extra="forbid")

    event_kind: EventKind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5_000)
    language: Language
    starts_at: datetime
    ends_at: datetime
    place: str = Field(default="", max_length=300)
    online_url: WebAddress = None
    organiser: str = Field(min_length=1, max_length=200)
    organisation_id: str | None = Field(
        default=None,
        max_length=100,
        description="The organisation it is announced for; its members may change it. "
        "Coordinators may leave it out.",
    )
    organisation_types: list[OrganisationType] = Field(default_factory=list, max_length=20)
    counties: list[County] = Field(default_factory=list, max_length=30)
    sub_goals: list[SubGoal] = Field(default_factory=list, max_length=40)
    registration_url: WebAddress = None
    materials_url: WebAddress = None


class EventOut(BaseModel):
    event_id: str
    version: int
    event_kind: EventKind
    title: str
    description: str
    language: Language
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str | None
    organiser: str
    organisation_id: str | None
    organisation_types: list[OrganisationType]
    counties: list[str]
    sub_goals: list[str]
    registration_url: str | None
    materials_url: str | None
    state: EventState
    updated_at: datetime
    past: bool = Field(description="True once the event has ended")
