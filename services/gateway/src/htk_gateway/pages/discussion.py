"""Discussion pages: the discussion section of an action, a sub-goal or a measure, open topics,
writing, editing, deleting, reporting and hiding messages, following, and the coordinators'
queue of reported messages. The community service keeps the discussions and decides who may
do what; these pages ask it on the reader's behalf and show its answers in their language."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.pages.discussion_links import subject_page
from htk_gateway.pages.discussion_view import discussion_context
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.guards import (
    COORDINATOR,
    COORDINATOR_WRITE,
    CSRF_CHECKED,
    MEMBER_WRITE,
    SIGNED_IN,
    Coordinator,
    Form,
    Reader,
    SignedIn,
)
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

KINDS = ("action", "sub_goal", "measure", "topic")
# A refusal's words, by the field it names, else by its status.
FIELD_ERRORS = {
    "consent": "discussion.err.consent",
    "body": "discussion.err.body",
    "organisation_id": "discussion.err.organisation",
    "reason": "discussion.err.reason",
    "title": "discussion.err.title",
    "description": "discussion.err.description",
}
STATUS_ERRORS = {
    401: "discussion.err.sign_in",
    403: "discussion.err.forbidden",
    404: "discussion.err.gone",
    409: "discussion.err.closed",
    429: "discussion.err.rate",
}


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise DomainError(404, "No such discussion")
    return kind


# First among a route's dependencies: an unknown kind is 404 before the caller is checked.
KNOWN_KIND = Depends(_kind)


def refusal(v: Viewer, answer: Any) -> dict[str, str]:
    """The service's refusal as {field: message in the reader's language}; "form" for the
    refusals that concern no single field."""
    _, errors = error_list(answer)
    found = {
        e["field"]: v.t(FIELD_ERRORS[e["field"]]) for e in errors if e.get("field") in FIELD_ERRORS
    }
    if answer.status_code == 403 and "body" in found:
        found["body"] = v.t("discussion.err.edit_time")
    if not found:
        found["form"] = v.t(STATUS_ERRORS.get(answer.status_code, "error.generic"))
    return found


async def _subject_page(
    request: Request,
    v: Viewer,
    kind: str,
    ref: str,
    *,
    cursor: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    """A sub-goal's, a measure's or a topic's own page: its discussion."""
    try:
        found = await discussion_context(request, v, kind, ref, cursor)
    except DomainError:
        found = None
    if found is None:
        answer = await call(request, v.user, "community", "GET", f"/discussions/{kind}/{ref}")
        if answer.status_code == 401:
            raise DomainError(401, "Sign in to read this members-only topic")
        raise DomainError(404, "No such discussion")
    return render(
        v,
        "discussion_page.html",
        status_code=status_code,
        d=found,
        done=done if done and v.t.has(f"done.{done}") else None,
    )


@router.get("/plan/{code}/discussion", response_class=HTMLResponse)
async def plan_node_discussion(
    code: str, request: Request, v: Reader, cursor: str | None = None, done: str | None = None
) -> Response:
    kind = {1: "sub_goal", 2: "measure"}.get(code.count("."))
    if kind is None:
        raise DomainError(404, "Sub-goals and measures have discussions")
    return await _subject_page(request, v, kind, code, cursor=cursor, done=done)


@router.get("/topics", response_class=HTMLResponse)
async def topics_page(request: Request, v: Reader, cursor: str | None = None) -> Response:
    return await _topics(request, v, cursor=cursor)


async def _topics(
    request: Request,
    v: Viewer,
    *,
    cursor: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    params: dict[str, Any] = {"limit": 50}
    if cursor:
        params["cursor"] = cursor
    found = await read(request, v.user, "community", "/discussions/topics", params=params) or {}
    return render(
        v,
        "topics.html",
        status_code=status_code,
        topics=found.get("items", []),
        next_cursor=found.get("next_cursor"),
        errors=errors or {},
        form=form or {},
    )


@router.post("/topics", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE])
async def create_topic(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    answer = await call(
        request,
        user,
        "community",
        "POST",
        "/discussions/topics",
        json={
            "title": str(form.get("title") or ""),
            "description": str(form.get("description") or ""),
            "members_only": form.get("members_only") == "true",
        },
    )
    if answer.status_code != 201:
        return await _topics(
            request, v, errors=refusal(v, answer), form=form, status_code=answer.status_code
        )
    return redirect(v, f"/topics/{answer.json()['id']}?done=discussion_topic_created")


@router.get("/topics/{topic_id}", response_class=HTMLResponse)
async def topic_page(
    topic_id: str, request: Request, v: Reader, cursor: str | None = None, done: str | None = None
) -> Response:
    return await _subject_page(request, v, "topic", topic_id, cursor=cursor, done=done)


def _message_form(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "body": str(form.get("body") or ""),
        "organisation_id": str(form.get("organisation_id") or "") or None,
        "consent": form.get("consent") == "true",
    }


async def _write(
    request: Request,
    v: Viewer,
    user: User,
    form: dict[str, Any],
    kind: str,
    ref: str,
    path: str,
    mode: str,
    target: str,
) -> Response:
    """A new thread or a reply (for a caller whose route's MEMBER_WRITE has checked the form,
    the member and the write limit): back to its place on the page, or the form again with
    the text kept and what to fix."""
    answer = await call(request, user, "community", "POST", path, json=_message_form(form))
    if answer.status_code == 201:
        made = answer.json()
        page = subject_page(made["subject_kind"], made["subject_ref"])
        return redirect(v, f"{page}?done=discussion_posted#message-{made['id']}")
    return await _form_page(
        request,
        v,
        mode,
        target,
        kind=kind,
        ref=ref,
        form=form,
        errors=refusal(v, answer),
        status_code=answer.status_code,
    )


async def _form_page(
    request: Request,
    v: Viewer,
    mode: str,
    target: str,
    *,
    kind: str | None = None,
    ref: str | None = None,
    message: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """One form for writing, replying, editing, reporting and hiding."""
    subject = None
    if kind and ref:
        subject = await read(request, v.user, "community", f"/discussions/{kind}/{ref}")
    names = await reference.organisation_names(request)
    own = sorted((v.user.organisations if v.user else {}).keys())
    return render(
        v,
        "discussion_form.html",
        status_code=status_code,
        mode=mode,
        target=target,
        subject=subject,
        back=subject_page(kind, ref) if kind and ref else "/topics",
        message=message,
        form=form or {},
        errors=errors or {},
        organisations=[(o, v.t.name(names.get(o)) or o) for o in own],
    )


@router.post(
    "/discussion/{kind}/{ref}/threads",
    response_class=HTMLResponse,
    dependencies=[KNOWN_KIND, MEMBER_WRITE],
)
async def start_thread(
    kind: str, ref: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    return await _write(
        request,
        v,
        user,
        form,
        kind,
        ref,
        f"/discussions/{kind}/{ref}/threads",
        "thread",
        f"{kind}/{ref}",
    )


@router.post(
    "/discussion/threads/{thread_id}/replies",
    response_class=HTMLResponse,
    dependencies=[MEMBER_WRITE],
)
async def reply(
    thread_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    # MEMBER_WRITE ran first: nothing is looked up for a caller who may not write.
    root = await read(request, user, "community", f"/discussions/messages/{thread_id}")
    if not root:
        raise DomainError(404, "No such thread")
    return await _write(
        request,
        v,
        user,
        form,
        root["subject_kind"],
        root["subject_ref"],
        f"/discussions/threads/{thread_id}/replies",
        "reply",
        thread_id,
    )


# Before "/discussion/{kind}/{ref}/follow", which would take "threads" for a kind.
# Following is not a write the limit counts: only the CSRF check and the member.
@router.post(
    "/discussion/threads/{thread_id}/follow",
    response_class=HTMLResponse,
    dependencies=[CSRF_CHECKED],
)
async def follow_thread(
    thread_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    stop = form.get("stop") == "true"
    path = f"/discussions/threads/{thread_id}/follow"
    answer = await call(request, user, "community", "DELETE" if stop else "PUT", path)
    if answer.status_code != 204:
        raise DomainError(answer.status_code, error_list(answer)[0] or "Refused")
    root = await read(request, user, "community", f"/discussions/messages/{thread_id}") or {}
    page = subject_page(root.get("subject_kind", "topic"), root.get("subject_ref", ""))
    done = "discussion_unfollowed" if stop else "discussion_followed"
    return redirect(v, f"{page}?done={done}#thread-{thread_id}")


@router.post(
    "/discussion/{kind}/{ref}/follow",
    response_class=HTMLResponse,
    dependencies=[KNOWN_KIND, CSRF_CHECKED],
)
async def follow_subject(
    kind: str, ref: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    stop = form.get("stop") == "true"
    answer = await call(
        request, user, "community", "DELETE" if stop else "PUT", f"/discussions/{kind}/{ref}/follow"
    )
    if answer.status_code != 200:
        raise DomainError(answer.status_code, error_list(answer)[0] or "Refused")
    done = "discussion_unfollowed" if stop else "discussion_followed"
    return redirect(v, f"{subject_page(kind, ref)}?done={done}")


async def _message(request: Request, v: Viewer, message_id: str) -> dict[str, Any]:
    found = await read(request, v.user, "community", f"/discussions/messages/{message_id}")
    if not found:
        raise DomainError(404, "No such message")
    return dict(found)


# Hiding is the coordinators': its routes come first, with the coordinators' guards, so the
# "{action}" routes after them serve only what any member may ask (the community service
# decides on the message itself).
MEMBER_FORMS = ("edit", "report")


def _member_form(action: str) -> str:
    if action not in MEMBER_FORMS:
        raise DomainError(404, "No such page")
    return action


def _member_change(action: str) -> str:
    if action not in (*MEMBER_FORMS, "delete"):
        raise DomainError(404, "No such page")
    return action


async def _show_form(request: Request, v: Viewer, message_id: str, action: str) -> Response:
    """The edit, report or hide form, for a caller its route has already let in."""
    found = await _message(request, v, message_id)
    if action == "edit" and not (found["mine"] and found["can_edit"]):
        raise DomainError(403, "This message can no longer be edited")
    return await _form_page(
        request,
        v,
        action,
        message_id,
        kind=found["subject_kind"],
        ref=found["subject_ref"],
        message=found,
        form={"body": found["body"] or ""} if action == "edit" else {},
    )


@router.get(
    "/discussion/messages/{message_id}/hide",
    response_class=HTMLResponse,
    dependencies=[COORDINATOR],
)
async def hide_form(message_id: str, request: Request, v: Reader) -> Response:
    return await _show_form(request, v, message_id, "hide")


@router.get(
    "/discussion/messages/{message_id}/{action}",
    response_class=HTMLResponse,
    dependencies=[Depends(_member_form), SIGNED_IN],
)
async def message_form(message_id: str, action: str, request: Request, v: Reader) -> Response:
    return await _show_form(request, v, message_id, action)


async def _change_message(
    request: Request, v: Viewer, user: User, form: dict[str, Any], message_id: str, action: str
) -> Response:
    """Edit, delete, report or hide, for a caller whose route's write guard has checked the
    form, the caller and the write limit."""
    found = await _message(request, v, message_id)
    path = f"/discussions/messages/{message_id}"
    if action == "edit":
        answer = await call(
            request, user, "community", "PUT", path, json={"body": str(form.get("body") or "")}
        )
    elif action == "delete":
        answer = await call(request, user, "community", "DELETE", path)
    elif action == "report":
        answer = await call(
            request,
            user,
            "community",
            "POST",
            f"{path}/reports",
            json={"reason": str(form.get("reason") or "")},
        )
    else:
        answer = await call(
            request,
            user,
            "community",
            "POST",
            f"{path}/hide",
            json={"reason": str(form.get("reason") or "")},
        )
    if answer.status_code not in (200, 201):
        if action == "delete":
            raise DomainError(answer.status_code, error_list(answer)[0] or "Refused")
        return await _form_page(
            request,
            v,
            action,
            message_id,
            kind=found["subject_kind"],
            ref=found["subject_ref"],
            message=found,
            form=form,
            errors=refusal(v, answer),
            status_code=answer.status_code,
        )
    if action == "hide" and form.get("back") == "reports":
        return redirect(v, "/coordinator/reports?done=discussion_hidden")
    page = subject_page(found["subject_kind"], found["subject_ref"])
    done = (
        "discussion_"
        + {"edit": "edited", "delete": "deleted", "report": "reported", "hide": "hidden"}[action]
    )
    return redirect(v, f"{page}?done={done}#message-{message_id}")


@router.post(
    "/discussion/messages/{message_id}/hide",
    response_class=HTMLResponse,
    dependencies=[COORDINATOR_WRITE],
)
async def hide_message(
    message_id: str, request: Request, form: Form, v: Reader, user: Coordinator
) -> Response:
    return await _change_message(request, v, user, form, message_id, "hide")


@router.post(
    "/discussion/messages/{message_id}/{action}",
    response_class=HTMLResponse,
    dependencies=[Depends(_member_change), MEMBER_WRITE],
)
async def message_change(
    message_id: str, action: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    return await _change_message(request, v, user, form, message_id, action)


@router.get("/coordinator/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    v: Reader,
    user: Coordinator,
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    params: dict[str, Any] = {"limit": 50}
    if cursor:
        params["cursor"] = cursor
    found = await read(request, user, "community", "/discussions/reports", params=params) or {}
    return render(
        v,
        "discussion_reports.html",
        reports=found.get("items", []),
        next_cursor=found.get("next_cursor"),
        pages={
            r["id"]: subject_page(r["message"]["subject_kind"], r["message"]["subject_ref"])
            for r in found.get("items", [])
        },
        done=done if done and v.t.has(f"done.{done}") else None,
    )


# Not counted against the write limit (as before the guards were dependencies): the CSRF
# check, then the coordinator.
@router.post(
    "/coordinator/reports/{report_id}/dismiss",
    response_class=HTMLResponse,
    dependencies=[CSRF_CHECKED],
)
async def dismiss_report(
    report_id: str, request: Request, v: Reader, user: Coordinator
) -> Response:
    answer = await call(
        request, user, "community", "POST", f"/discussions/reports/{report_id}/dismiss"
    )
    if answer.status_code != 204:
        raise DomainError(answer.status_code, error_list(answer)[0] or "Refused")
    return redirect(v, "/coordinator/reports?done=discussion_dismissed")
