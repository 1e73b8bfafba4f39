"""The public discussion API under ``/api/v1/discussions``, answered by the community service.

Each route declares its answer and its error answers (:func:`htk_gateway.api_contract.relayed`)
so that it is in the public document; the parameters and bodies come from community's own
operations, where they are checked."""

from fastapi import APIRouter, Depends, Request, Response

from htk_contracts.community import SubjectKind
from htk_gateway.api import schemas_community as c
from htk_gateway.api.contract import relayed
from htk_gateway.api.routes import API_WRITE, _list, _to
from htk_gateway.api_tokens.caller import api_caller

router = APIRouter(
    prefix="/api/v1/discussions", tags=["discussions"], dependencies=[Depends(api_caller)]
)

SERVICE = "community"
# A write also needs a caller (401), a session's CSRF token or a writing API token (403) and
# stays within the write rate (429), before community's own refusals.
WRITE = (401, 403, 429)


def _at(path: str) -> str:
    """Community's path of a public discussion route."""
    return f"/discussions{path}"


# Lists relay ``limit``, ``cursor`` and their filters to community as they come: community
# checks them and its defaults (a few news for the front page) are the ones documented.


async def _read(request: Request, path: str) -> Response:
    return await _to(request, SERVICE, "GET", _at(path), write=False)


async def _write(request: Request, method: str, path: str) -> Response:
    return await _to(request, SERVICE, method, _at(path), write=True)


# Topics and reports first: "/topics" would otherwise be taken for a subject kind.


@router.get(
    "/topics",
    **relayed(SERVICE, _at("/topics"), model=c.TopicPage),
)
async def list_topics(request: Request) -> Response:
    """Open topics, newest first; members-only ones for signed-in members only."""
    return await _list(request, SERVICE, _at("/topics"))


@router.post(
    "/topics",
    status_code=201,
    **relayed(SERVICE, _at("/topics"), model=c.Topic, errors=WRITE),
    dependencies=[API_WRITE],
)
async def create_topic(request: Request) -> Response:
    """A coordinator opens a topic for discussion."""
    return await _write(request, "POST", "/topics")


@router.get(
    "/reports",
    **relayed(SERVICE, _at("/reports"), model=c.ReportPage, errors=(401, 403)),
)
async def open_reports(request: Request) -> Response:
    """Reported messages waiting for a coordinator, oldest first (coordinators)."""
    return await _list(request, SERVICE, _at("/reports"))


@router.post(
    "/reports/{report_id}/dismiss",
    status_code=204,
    **relayed(SERVICE, _at("/reports/{report_id}/dismiss"), errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def dismiss_report(report_id: str, request: Request) -> Response:
    """The coordinator looked and leaves the message as it is."""
    return await _write(request, "POST", f"/reports/{report_id}/dismiss")


@router.get(
    "/messages/{message_id}",
    **relayed(SERVICE, _at("/messages/{message_id}"), model=c.Message, errors=(401, 404)),
)
async def get_message(message_id: str, request: Request) -> Response:
    return await _read(request, f"/messages/{message_id}")


@router.put(
    "/messages/{message_id}",
    **relayed(SERVICE, _at("/messages/{message_id}"), model=c.Message, errors=(*WRITE, 404, 409)),
    dependencies=[API_WRITE],
)
async def edit_message(message_id: str, request: Request) -> Response:
    """Its author changes the text, within the edit time after posting."""
    return await _write(request, "PUT", f"/messages/{message_id}")


@router.delete(
    "/messages/{message_id}",
    **relayed(SERVICE, _at("/messages/{message_id}"), model=c.Message, errors=(*WRITE, 404, 409)),
    dependencies=[API_WRITE],
)
async def delete_message(message_id: str, request: Request) -> Response:
    """Its author deletes it; the thread shows that a message was deleted."""
    return await _write(request, "DELETE", f"/messages/{message_id}")


@router.post(
    "/messages/{message_id}/hide",
    **relayed(
        SERVICE, _at("/messages/{message_id}/hide"), model=c.Message, errors=(*WRITE, 404, 409)
    ),
    dependencies=[API_WRITE],
)
async def hide_message(message_id: str, request: Request) -> Response:
    """A coordinator hides a message; the reason is shown in its place."""
    return await _write(request, "POST", f"/messages/{message_id}/hide")


@router.post(
    "/messages/{message_id}/reports",
    status_code=201,
    **relayed(
        SERVICE,
        _at("/messages/{message_id}/reports"),
        model=c.MessageReport,
        errors=(*WRITE, 404, 409),
    ),
    dependencies=[API_WRITE],
)
async def report_message(message_id: str, request: Request) -> Response:
    """Anyone signed in asks the coordinators to look at a message."""
    return await _write(request, "POST", f"/messages/{message_id}/reports")


@router.post(
    "/threads/{thread_id}/replies",
    status_code=201,
    **relayed(
        SERVICE, _at("/threads/{thread_id}/replies"), model=c.Message, errors=(*WRITE, 404, 409)
    ),
    dependencies=[API_WRITE],
)
async def reply(thread_id: str, request: Request) -> Response:
    return await _write(request, "POST", f"/threads/{thread_id}/replies")


@router.put(
    "/threads/{thread_id}/follow",
    status_code=204,
    **relayed(SERVICE, _at("/threads/{thread_id}/follow"), errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def follow_thread(thread_id: str, request: Request) -> Response:
    return await _write(request, "PUT", f"/threads/{thread_id}/follow")


@router.delete(
    "/threads/{thread_id}/follow",
    status_code=204,
    **relayed(SERVICE, _at("/threads/{thread_id}/follow"), errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def unfollow_thread(thread_id: str, request: Request) -> Response:
    return await _write(request, "DELETE", f"/threads/{thread_id}/follow")


@router.get(
    "/{kind}/{ref}", **relayed(SERVICE, _at("/{kind}/{ref}"), model=c.Subject, errors=(401, 404))
)
async def get_subject(kind: SubjectKind, ref: str, request: Request) -> Response:
    """What a discussion is about (an action, a sub-goal, a measure or a topic), and what the
    caller may do in it."""
    return await _read(request, f"/{kind.value}/{ref}")


@router.get(
    "/{kind}/{ref}/threads",
    **relayed(
        SERVICE,
        _at("/{kind}/{ref}/threads"),
        model=c.ThreadPage,
        errors=(401, 404),
    ),
)
async def list_threads(
    kind: SubjectKind,
    ref: str,
    request: Request,
) -> Response:
    """Threads with their replies, the newest thread first."""
    return await _list(request, SERVICE, _at(f"/{kind.value}/{ref}/threads"))


@router.post(
    "/{kind}/{ref}/threads",
    status_code=201,
    **relayed(SERVICE, _at("/{kind}/{ref}/threads"), model=c.Message, errors=(*WRITE, 404, 409)),
    dependencies=[API_WRITE],
)
async def start_thread(kind: SubjectKind, ref: str, request: Request) -> Response:
    """A new thread. Your first message needs ``consent``: your name and organisation are
    shown with your messages."""
    return await _write(request, "POST", f"/{kind.value}/{ref}/threads")


@router.put(
    "/{kind}/{ref}/follow",
    **relayed(SERVICE, _at("/{kind}/{ref}/follow"), model=c.Subject, errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def follow_subject(kind: SubjectKind, ref: str, request: Request) -> Response:
    """New threads and replies here reach you through your notifications."""
    return await _write(request, "PUT", f"/{kind.value}/{ref}/follow")


@router.delete(
    "/{kind}/{ref}/follow",
    **relayed(SERVICE, _at("/{kind}/{ref}/follow"), model=c.Subject, errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def unfollow_subject(kind: SubjectKind, ref: str, request: Request) -> Response:
    return await _write(request, "DELETE", f"/{kind.value}/{ref}/follow")
