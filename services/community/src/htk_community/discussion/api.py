"""HTTP API of discussions; the gateway forwards ``/api/v1/discussions`` here."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from htk_community.deps import Copies, Settings, state
from htk_community.discussion.schemas import (
    EditMessage,
    HideMessage,
    MessageOut,
    NewMessage,
    NewTopic,
    Notice,
    ReportMessage,
    ReportOut,
    SubjectOut,
    ThreadOut,
    TopicOut,
)
from htk_community.discussion.service import Discussions
from htk_contracts.community import SubjectKind
from htk_runtime.auth import Coordinator, CurrentUser, OptionalUser
from htk_runtime.errors import error_answers
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, Page

router = APIRouter(prefix="/discussions", tags=["discussions"])


def discussions(request: Request, copies: Copies, settings: Settings) -> Discussions:
    return Discussions(state(request)["discussion"], copies, settings)


Service = Annotated[Discussions, Depends(discussions)]
Ref = Annotated[
    str, Path(min_length=1, max_length=100, description="Action id, plan code or topic id")
]
Id = Annotated[str, Path(min_length=1, max_length=100)]


# Topics first: "/topics" would otherwise be taken for a subject kind.


@router.get("/topics", responses=error_answers())
async def list_topics(
    service: Service, user: OptionalUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[TopicOut]:
    """Open topics, newest first; members-only ones for signed-in members only."""
    return await service.topics(user, limit, cursor)


@router.post("/topics", status_code=201, responses=error_answers(401, 403))
async def create_topic(service: Service, user: Coordinator, topic: NewTopic) -> TopicOut:
    """A coordinator opens a topic for discussion."""
    return await service.create_topic(user, topic)


@router.get("/reports", responses=error_answers(401, 403))
async def open_reports(
    service: Service, user: Coordinator, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[ReportOut]:
    """Reported messages waiting for a coordinator, oldest first."""
    return await service.reports(user, limit, cursor)


@router.post(
    "/reports/{report_id}/dismiss", status_code=204, responses=error_answers(401, 403, 404)
)
async def dismiss_report(report_id: Id, service: Service, user: Coordinator) -> Response:
    """The coordinator looked and leaves the message as it is."""
    await service.dismiss(report_id, user)
    return Response(status_code=204)


@router.get("/messages/{message_id}", responses=error_answers(401, 404))
async def get_message(message_id: Id, service: Service, user: OptionalUser) -> MessageOut:
    return await service.message(message_id, user)


@router.put("/messages/{message_id}", responses=error_answers(401, 403, 404, 409))
async def edit_message(
    message_id: Id, service: Service, user: CurrentUser, change: EditMessage
) -> MessageOut:
    """Its author changes the text, within the edit time after posting."""
    return await service.edit(message_id, user, change)


@router.delete("/messages/{message_id}", responses=error_answers(401, 403, 404, 409))
async def delete_message(message_id: Id, service: Service, user: CurrentUser) -> MessageOut:
    """Its author deletes it; the thread shows that a message was deleted."""
    return await service.delete(message_id, user)


@router.post("/messages/{message_id}/hide", responses=error_answers(401, 403, 404, 409))
async def hide_message(
    message_id: Id, service: Service, user: Coordinator, hide: HideMessage
) -> MessageOut:
    """A coordinator hides a message; the reason is shown in its place."""
    return await service.hide(message_id, user, hide)


@router.post(
    "/messages/{message_id}/reports", status_code=201, responses=error_answers(401, 404, 409)
)
async def report_message(
    message_id: Id, service: Service, user: CurrentUser, report: ReportMessage
) -> ReportOut:
    """Anyone signed in asks the coordinators to look at a message."""
    return await service.report(message_id, user, report)


@router.get("/messages/{message_id}/notice", responses=error_answers(401, 403, 404))
async def message_notice(message_id: Id, service: Service, user: Coordinator) -> Notice:
    """For the gateway's notifications: what the message is about and who follows it."""
    return await service.notice(message_id)


@router.post(
    "/threads/{thread_id}/replies",
    status_code=201,
    responses=error_answers(401, 403, 404, 409, 429),
)
async def reply(
    thread_id: Id, service: Service, user: CurrentUser, message: NewMessage
) -> MessageOut:
    return await service.reply(thread_id, user, message)


@router.put("/threads/{thread_id}/follow", status_code=204, responses=error_answers(401, 404))
async def follow_thread(thread_id: Id, service: Service, user: CurrentUser) -> Response:
    await service.follow_thread(thread_id, user, True)
    return Response(status_code=204)


@router.delete("/threads/{thread_id}/follow", status_code=204, responses=error_answers(401, 404))
async def unfollow_thread(thread_id: Id, service: Service, user: CurrentUser) -> Response:
    await service.follow_thread(thread_id, user, False)
    return Response(status_code=204)


@router.get("/{kind}/{ref}", responses=error_answers(401, 404))
async def get_subject(
    kind: SubjectKind, ref: Ref, service: Service, user: OptionalUser
) -> SubjectOut:
    """What a discussion is about, and what the caller may do in it."""
    return await service.subject(kind, ref, user)


@router.get("/{kind}/{ref}/threads", responses=error_answers(401, 404))
async def list_threads(
    kind: SubjectKind,
    ref: Ref,
    service: Service,
    user: OptionalUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ThreadOut]:
    """Threads with their replies, the newest thread first."""
    return await service.threads(kind, ref, user, limit, cursor)


@router.post(
    "/{kind}/{ref}/threads", status_code=201, responses=error_answers(401, 403, 404, 409, 429)
)
async def start_thread(
    kind: SubjectKind, ref: Ref, service: Service, user: CurrentUser, message: NewMessage
) -> MessageOut:
    """A new thread. Your first message needs ``consent``: your name and organisation are
    shown with your messages."""
    return await service.post(kind, ref, user, message)


@router.put("/{kind}/{ref}/follow", responses=error_answers(401, 404))
async def follow_subject(
    kind: SubjectKind, ref: Ref, service: Service, user: CurrentUser
) -> SubjectOut:
    """New threads and replies here reach you through your notifications."""
    return await service.follow_subject(kind, ref, user, True)


@router.delete("/{kind}/{ref}/follow", responses=error_answers(401, 404))
async def unfollow_subject(
    kind: SubjectKind, ref: Ref, service: Service, user: CurrentUser
) -> SubjectOut:
    return await service.follow_subject(kind, ref, user, False)
