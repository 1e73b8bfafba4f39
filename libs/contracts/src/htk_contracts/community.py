"""Events of the community service (``community.*.v1``).

``community.discussion.v1`` (key: the message id, or the topic id for topics): messages in the
discussions of actions, sub-goals, measures and open topics, and the topics themselves.

Nothing personal goes here: authors, reporters and moderators are member ids, never names or
email addresses (the gateway and community keep names in their own copies of the members, and
an erased member's name is gone from those). Message bodies are what their authors published.

Kinds, told apart by ``data.kind``:
- ``posted``: a new message (a thread's first message, or a reply in it);
- ``edited``: its author changed the text within the edit window;
- ``removed``: its author deleted it or a coordinator hid it; its text is gone from public view;
- ``reported``: someone signed in asked the coordinators to look at a message;
- ``topic``: a coordinator opened or changed an open topic (the whole topic, as it is now).
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MESSAGE_POSTED = "fi.htk.discussion_message.posted.v1"
MESSAGE_EDITED = "fi.htk.discussion_message.edited.v1"
MESSAGE_REMOVED = "fi.htk.discussion_message.removed.v1"
MESSAGE_REPORTED = "fi.htk.discussion_message.reported.v1"
TOPIC_CHANGED = "fi.htk.discussion_topic.changed.v1"


class SubjectKind(StrEnum):
    """What a discussion is about."""

    ACTION = "action"
    SUB_GOAL = "sub_goal"
    MEASURE = "measure"
    TOPIC = "topic"


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SubjectKind
    ref: str = Field(description="Action id, plan code (3.2, 3.2.4) or topic id")


class MessagePosted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["posted"] = "posted"
    message_id: str
    thread_id: str = Field(description="The thread's first message; equals message_id for it")
    subject: Subject
    author_id: str = Field(description="Member id of the author")
    organisation_id: str = Field(description="The organisation the author wrote for")
    body: str = Field(description="Markdown source, the safe subset")
    members_only: bool = Field(description="In a members-only topic: not for public indexes")
    at: datetime


class MessageEdited(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["edited"] = "edited"
    message_id: str
    thread_id: str
    subject: Subject
    body: str
    at: datetime


class Removal(StrEnum):
    DELETED = "deleted"
    HIDDEN = "hidden"


class MessageRemoved(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["removed"] = "removed"
    message_id: str
    thread_id: str
    subject: Subject
    removal: Removal
    by: str = Field(description="Member id of the author (deleted) or coordinator (hidden)")
    at: datetime


class MessageReported(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["reported"] = "reported"
    message_id: str
    thread_id: str
    subject: Subject
    report_id: str
    reported_by: str = Field(description="Member id of the reporter")
    at: datetime


class TopicChanged(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["topic"] = "topic"
    topic_id: str
    title: str
    description: str = ""
    members_only: bool
    open: bool = Field(description="False once a coordinator closed it to new messages")
    changed_by: str = Field(description="Member id of the coordinator")
    at: datetime


DiscussionEvent = Annotated[
    MessagePosted | MessageEdited | MessageRemoved | MessageReported | TopicChanged,
    Field(discriminator="kind"),
]
# Every consumer of community.discussion.v1 checks an event with this before using it: one
# that breaks the contract is a poison message (dead-lettered), never half-applied.
DISCUSSION_EVENTS: TypeAdapter[Any] = TypeAdapter(DiscussionEvent)
