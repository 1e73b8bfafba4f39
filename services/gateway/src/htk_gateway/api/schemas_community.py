"""The answers of the community's public API (discussions, news, events, good practices) as
typed models: what ``/api/v1`` promises, declared on the routes of
:mod:`htk_gateway.api.discussions` and :mod:`htk_gateway.api.community`.

They follow what the community service answers (``htk_community.*.schemas``) field for field a
client may rely on, as :mod:`htk_gateway.api.schemas` does for the other services; the gateway
does not import a service's package. tests/security/test_public_api.py validates every JSON
answer of the walk against these models, so the two cannot drift apart unnoticed. Lists are
pages of the one envelope, :class:`htk_runtime.listing.Page`.
"""

from datetime import datetime

from pydantic import BaseModel, Field

from htk_contracts.actions import Language
from htk_contracts.catalogue import OrganisationType
from htk_contracts.community import SubjectKind
from htk_contracts.community_news import EventKind, EventState, NewsState
from htk_runtime.listing import Page

# -- discussions ------------------------------------------------------------------------------


class Author(BaseModel):
    name: str | None = Field(description="Null for a former member (erased)")
    former_member: bool
    organisation_id: str
    organisation_name: str | None


class Message(BaseModel):
    id: str
    thread_id: str
    subject_kind: SubjectKind
    subject_ref: str
    author: Author
    body: str | None = Field(description="Markdown source; null once deleted or hidden")
    state: str = Field(description="visible, deleted or hidden")
    hidden_reason: str | None = None
    created_at: datetime
    edited_at: datetime | None = None
    mine: bool = Field(description="Written by the caller")
    can_edit: bool = Field(description="The caller may still edit it (author, within the time)")


class Thread(BaseModel):
    thread_id: str
    messages: list[Message] = Field(description="The first message, then replies, oldest first")
    following: bool


class Subject(BaseModel):
    """What a discussion is about, and what the caller may do in it."""

    kind: SubjectKind
    ref: str
    title: dict[str, str] = Field(description="Title in fi, sv and en")
    members_only: bool
    open: bool
    following: bool = False
    consented: bool = Field(
        default=False, description="The caller agreed to show their name and organisation"
    )
    can_post: bool = False


class Topic(BaseModel):
    id: str
    title: str
    description: str
    members_only: bool
    open: bool
    created_at: datetime
    threads: int
    messages: int


class MessageReport(BaseModel):
    id: str
    message: Message
    reason: str
    reported_at: datetime


TopicPage = Page[Topic]
ThreadPage = Page[Thread]
ReportPage = Page[MessageReport]


# -- news -------------------------------------------------------------------------------------


class NewsText(BaseModel):
    title: str
    summary: str = ""
    body: str = ""


class News(BaseModel):
    news_id: str
    version: int
    state: NewsState
    texts: dict[Language, NewsText]
    sub_goals: list[str]
    published_at: datetime
    updated_at: datetime
    language: Language = Field(description="The language of title, summary and body below")
    fallback: bool = Field(
        description="True when the item lacks the language asked for and another is shown"
    )
    title: str
    summary: str
    body: str


NewsPage = Page[News]


# -- events -----------------------------------------------------------------------------------


class Event(BaseModel):
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


EventPage = Page[Event]


# -- good practices ---------------------------------------------------------------------------


class Experience(BaseModel):
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


class Highlight(BaseModel):
    action_id: str
    action_title: str
    highlighted: bool
    reason: str
    at: datetime


ExperiencePage = Page[Experience]
HighlightPage = Page[Highlight]
