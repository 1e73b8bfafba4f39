"""Good practices in the browser: an action's experiences page, where a member shares their
organisation's experience of it and a coordinator highlights it as a good practice, and the
good-practices page with the highlighted actions and the latest experiences. The community
service owns them."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.pages.news import LANGUAGES, form_errors
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.guards import (
    COORDINATOR_WRITE,
    MEMBER_WRITE,
    Coordinator,
    Form,
    Reader,
    SignedIn,
)
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

TEXTS = ("what_worked", "what_did_not", "for_whom")


async def highlighted_practices(request: Request, limit: int = 5) -> list[dict[str, Any]]:
    """For the front page: nothing (rather than an error) when the service is away."""
    found = await read(request, None, "community", "/practices/highlights", params={"limit": limit})
    return list((found or {}).get("items", []))


@router.get("/good-practices", response_class=HTMLResponse)
async def good_practices(request: Request, v: Reader, cursor: str | None = None) -> Response:
    highlights = await read(
        request, None, "community", "/practices/highlights", params={"limit": 50}
    )
    params: dict[str, Any] = {"limit": 20}
    if cursor:
        params["cursor"] = cursor
    answer = await call(request, None, "community", "GET", "/practices/experiences", params=params)
    if answer.status_code == 422:
        raise DomainError(422, "The cursor is not valid; start again from the first page", "cursor")
    experiences = answer.json() if answer.status_code == 200 else {"items": []}
    return render(
        v,
        "good_practices.html",
        highlights=(highlights or {}).get("items", []),
        experiences=experiences.get("items", []),
        next_cursor=experiences.get("next_cursor"),
    )


async def _action(request: Request, action_id: str) -> dict[str, Any]:
    found = await read(request, None, "submissions", f"/actions/{action_id}")
    if not isinstance(found, dict):
        raise DomainError(404, "No such published action")
    return found


async def _page(
    request: Request,
    v: Viewer,
    action_id: str,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    done: str | None = None,
) -> Response:
    action = await _action(request, action_id)
    listed = await read(
        request,
        None,
        "community",
        "/practices/experiences",
        params={"action_id": action_id, "limit": 50},
    )
    highlight = await read(request, None, "community", f"/practices/highlights/{action_id}")
    names = await reference.organisation_names(request)
    own = [names.get(o, {"id": o, "name_fi": o}) for o in (v.user.organisations if v.user else {})]
    return render(
        v,
        "practices.html",
        status_code=status,
        action=action,
        action_id=action_id,
        experiences=(listed or {}).get("items", []),
        highlight=highlight
        if isinstance(highlight, dict) and highlight.get("highlighted")
        else None,
        own_organisations=own,
        form=form,
        errors=errors,
        languages=LANGUAGES,
        done=done if done and v.t.has(f"done.{done}") else None,
    )


@router.get("/actions/{action_id}/experiences", response_class=HTMLResponse)
async def experiences_page(
    action_id: str, request: Request, v: Reader, done: str | None = None
) -> Response:
    return await _page(request, v, action_id, {"language": v.lang}, {}, done=done)


@router.post(
    "/actions/{action_id}/experiences", response_class=HTMLResponse, dependencies=[MEMBER_WRITE]
)
async def share_experience(
    action_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    body = {k: str(form.get(k) or "").replace("\r\n", "\n").strip() for k in TEXTS}
    body.update(
        action_id=action_id,
        organisation_id=str(form.get("organisation_id") or ""),
        language=str(form.get("language") or v.lang),
    )
    answer = await call(request, user, "community", "POST", "/practices/experiences", json=body)
    if answer.status_code == 201:
        return redirect(v, f"/actions/{action_id}/experiences?done=experience_shared")
    if answer.status_code == 404:
        message, _ = error_list(answer)
        raise DomainError(404, message or "No such published action")
    errors = form_errors(v, answer, "practice")
    return await _page(request, v, action_id, form, errors, status=answer.status_code)


@router.post(
    "/actions/{action_id}/highlight", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE]
)
async def highlight(
    action_id: str, request: Request, form: Form, v: Reader, user: Coordinator
) -> Response:
    on = form.get("highlighted") == "true"
    answer = await call(
        request,
        user,
        "community",
        "PUT",
        f"/practices/highlights/{action_id}",
        json={"highlighted": on, "reason": str(form.get("reason") or "").strip()},
    )
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code if answer.status_code < 500 else 503, message)
    done = "practice_highlighted" if on else "practice_unhighlighted"
    return redirect(v, f"/actions/{action_id}/experiences?done={done}")
