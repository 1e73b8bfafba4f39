"""Request and response models of the discussion API."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from htk_contracts.community import SubjectKind
from htk_runtime.text import PublicText, VisibleText


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ---------------------------------------------------------------------------------


class NewMessage(Strict):
    body: VisibleText = Field(
        min_length=1, description="Markdown (the safe subset: no images, no HTML)"
    )
    organisation_id: str | None = Field(
        default=None,
        description="The organisation you write for; needed when you belong to several",
    )
    consent: bool = Field(
        default=False,
        description="Your first message: you agree that your name and organisation are shown "
        "with your messages",
    )


class EditMessage(Strict):
    body: VisibleText = Field(min_length=1)


class HideMessage(Strict):
    reason: PublicText = Field(min_length=3, max_length=500, description="Shown in its place")


class ReportMessage(Strict):
    reason: PublicText = Field(min_length=3, max_length=1000, description="For the coordinators")


class NewTopic(Strict):
    title: PublicText = Field(min_length=3, max_length=200)
    description: PublicText = Field(default="", max_length=2000)
    members_only: bool = False


# --- answers ----------------------------------------------------------------------------------


class MessageState(StrEnum):
    VISIBLE = "visible"
    DELETED = "deleted"
    HIDDEN = "hidden"


class Author(BaseModel):
    name: str | None = Field(description="Null for a former member (erased)")
    former_member: bool
    organisation_id: str
    organisation_name: str | None


class MessageOut(BaseModel):
    id: str
    thread_id: str
    subject_kind: SubjectKind
    subject_ref: str
    author: Author
    body: str | None = Field(description="Markdown source; null once deleted or hidden")
    state: MessageState
    hidden_reason: str | None = None
    created_at: datetime
    edited_at: datetime | None = None
    mine: bool = Field(description="Written by the caller")
    can_edit: bool = Field(description="The caller may still edit it (author, within the time)")


class ThreadOut(BaseModel):
    thread_id: str
    messages: list[MessageOut] = Field(description="The first message, then replies, oldest first")
    following: bool


class SubjectOut(BaseModel):
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


class TopicOut(BaseModel):
    id: str
    title: str
    description: str
    members_only: bool
    open: bool
    created_at: datetime
    threads: int
    messages: int


class ReportOut(BaseModel):
    id: str
    message: MessageOut
    reason: str
    reported_at: datetime


class Notice(BaseModel):
    """What the gateway's notifications say of a message event and whom they go to."""

    title: dict[str, str]
    subject_kind: SubjectKind
    subject_ref: str
    thread_id: str
    followers: list[str] = Field(description="Member ids following the thread or the subject")
    author_id: str | None
