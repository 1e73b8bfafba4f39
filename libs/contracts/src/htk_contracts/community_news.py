"""Events of the community service's news and events (happenings: webinars, workshops, network
days), on ``community.news.v1`` (key: news id) and ``community.events.v1`` (key: event id).

Each event carries the item's whole public state, so the latest event per key is enough to
rebuild a projection (search, reporting) and a replay changes nothing. Only public data travels
here: no author's member id or name (news is the coordinators' voice; an event names the
organiser it was announced for, an organisation, never the member who typed it).

Kinds, told apart by ``data.kind``:
- news: ``published`` (first publication), ``updated`` (texts changed), ``withdrawn`` (no longer
  shown; the state stays for the history of the projection);
- events: ``announced``, ``updated`` (also when materials are added afterwards), ``cancelled``.
"""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from htk_contracts.actions import Language
from htk_contracts.catalogue import OrganisationType

NEWS_PUBLISHED = "fi.htk.news.published.v1"
NEWS_UPDATED = "fi.htk.news.updated.v1"
NEWS_WITHDRAWN = "fi.htk.news.withdrawn.v1"

EVENT_ANNOUNCED = "fi.htk.community_event.announced.v1"
EVENT_UPDATED = "fi.htk.community_event.updated.v1"
EVENT_CANCELLED = "fi.htk.community_event.cancelled.v1"


class NewsText(BaseModel):
    """One language's version of a news item."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=600, description="One paragraph for lists")
    body: str = Field(default="", max_length=20_000, description="Safe Markdown subset")


class NewsState(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class NewsItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["published", "updated", "withdrawn"]
    news_id: str
    texts: dict[Language, NewsText] = Field(
        description="The languages it is written in; a reader of another one sees a fallback"
    )
    sub_goals: list[str] = Field(default_factory=list, description="Plan codes it concerns")
    state: NewsState
    published_at: datetime
    updated_at: datetime


class EventKind(StrEnum):
    WEBINAR = "webinar"
    WORKSHOP = "workshop"
    NETWORK_DAY = "network_day"
    OTHER = "other"


class EventState(StrEnum):
    ANNOUNCED = "announced"
    CANCELLED = "cancelled"


class CommunityEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["announced", "updated", "cancelled"]
    event_id: str
    event_kind: EventKind
    title: str
    description: str = ""
    language: Language = Field(description="The language the event is held in")
    starts_at: datetime = Field(description="Aware, UTC")
    ends_at: datetime = Field(description="Aware, UTC")
    place: str = Field(default="", description="Street address or venue; empty when online only")
    online_url: str | None = None
    organiser: str = Field(description="Who holds it, as shown (e.g. THL)")
    organisation_id: str | None = Field(
        default=None, description="The organisation it was announced for (its members edit it)"
    )
    organisation_types: list[OrganisationType] = Field(
        default_factory=list, description="Kinds of organisation it is for; empty: every kind"
    )
    counties: list[str] = Field(
        default_factory=list, description="Wellbeing services county codes; empty: national"
    )
    sub_goals: list[str] = Field(default_factory=list)
    registration_url: str | None = None
    materials_url: str | None = None
    state: EventState
    updated_at: datetime


# Good practices, on ``community.practices.v1``: an organisation's experience of a published
# action (key: experience id), and the coordinators' highlight of an action as a good practice
# (key: action id). Whole public state; no member ids.
PRACTICE_SHARED = "fi.htk.practice.shared.v1"
PRACTICE_HIGHLIGHTED = "fi.htk.practice.highlighted.v1"


class PracticeShared(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["shared"] = "shared"
    experience_id: str
    action_id: str
    organisation_id: str = Field(description="The organisation sharing its experience")
    language: Language
    what_worked: str
    what_did_not: str = ""
    for_whom: str = Field(description="For whom it worked (or did not)")
    shared_at: datetime


class PracticeHighlighted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["highlighted"] = "highlighted"
    action_id: str
    highlighted: bool = Field(description="False when the highlight was taken away")
    reason: str = ""
    at: datetime
