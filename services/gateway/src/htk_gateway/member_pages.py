"""Members' pages: their organisations' actions, writing and editing them with messages beside
the fields, submitting for review, the review comments and each action's history. An organisation's
admins manage its members and profile in organisation_pages.py."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_contracts.actions import ActionState, InequalityDimension, TargetGroup
from htk_gateway import action_changes, reference
from htk_gateway.forms import action_payload, form_from_content, translate_errors
from htk_gateway.web import (
    Viewer,
    call,
    error_list,
    form_data,
    limit_writes,
    read,
    redirect,
    render,
    state,
    viewer,
)
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

WITH_COMMENT = ("return", "withdraw")
MIN_COMMENT = 3  # as submissions requires


def signed_in(v: Viewer) -> User:
    if v.user is None:
        raise DomainError(401, "Sign in to do this")
    return v.user


async def _own_organisations(request: Request, user: User) -> list[dict[str, Any]]:
    names = await reference.organisation_names(request)
    ids = list(user.organisations)
    if user.coordinator and not ids:
        return list(names.values())
    return [names.get(o, {"id": o, "name_fi": o}) for o in ids]


@router.get("/my/actions", response_class=HTMLResponse)
async def my_actions(request: Request, after: str | None = None) -> Response:
    v = await viewer(request)
    user = signed_in(v)
    params: dict[str, Any] = {"limit": 50}
    if after:
        params["after"] = after
    if user.coordinator and not user.organisations:
        params["status"] = "draft"
    page = await read(request, user, "submissions", "/actions", params=params) or {}
    return render(
        v,
        "my_actions.html",
        items=page.get("items", []),
        next_url=f"/my/actions?after={page['next']}" if page.get("next") else None,
        orgs=await reference.organisation_names(request),
    )


async def _action_form(
    request: Request,
    v: Viewer,
    form: dict[str, Any],
    errors: dict[str, str],
    *,
    action_id: str | None = None,
    version: int | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    user = signed_in(v)
    return render(
        v,
        "action_form.html",
        status_code=status,
        form=form,
        errors=errors,
        message=message,
        action_id=action_id,
        version=version,
        own_organisations=await _own_organisations(request, user),
        plan=await reference.plan(request),
        counties=await reference.counties(request),
        municipalities=await reference.municipalities(request),
        target_groups=[g.value for g in TargetGroup],
        dimensions=[d.value for d in InequalityDimension],
        states=[s.value for s in ActionState],
    )


@router.get("/my/actions/new", response_class=HTMLResponse)
async def new_action(request: Request) -> Response:
    v = await viewer(request)
    return await _action_form(request, v, {"language": v.lang}, {})


def _refusal(v: Viewer, answer: Any) -> tuple[dict[str, str], str | None]:
    _, errors = error_list(answer)
    if answer.status_code == 422 and errors:
        return translate_errors(v.t, errors, prefix="action"), None
    known = {
        403: "error.forbidden",
        409: "error.conflict",
        412: "error.stale",
        404: "error.not_found",
        503: "error.unavailable",
    }
    return {}, v.t(known.get(answer.status_code, "error.generic"))


@router.post("/my/actions/new", response_class=HTMLResponse)
async def create_action(request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    user = signed_in(v)
    await limit_writes(request, user)
    answer = await call(request, user, "submissions", "POST", "/actions", json=action_payload(form))
    if answer.status_code == 201:
        return redirect(v, f"/my/actions/{answer.json()['id']}?done=created")
    errors, message = _refusal(v, answer)
    return await _action_form(request, v, form, errors, message=message, status=422)


async def _working_copy(request: Request, user: User, action_id: str) -> dict[str, Any]:
    """The working copy, only for its organisation's members and coordinators; everyone else
    learns nothing, not even that a draft exists."""
    found = await read(request, user, "submissions", f"/actions/{action_id}")
    if not found or "status" not in found or "content" not in found:
        raise DomainError(404, "No such action")
    return dict(found)


async def _action_page(
    request: Request,
    v: Viewer,
    user: User,
    action: dict[str, Any],
    status: int = 200,
    **extra: Any,
) -> Response:
    """The member's page of an action: the review comment as text with who and when, what the
    working copy changes against the published version, and the steps the workflow allows."""
    comment = action.get("review_comment")
    named = await action_changes.names(
        request, v.t, [comment.get("by")] if isinstance(comment, dict) else []
    )
    review = None
    if isinstance(comment, dict) and comment.get("comment"):
        review = {
            "text": comment["comment"],
            "by": named.person(comment.get("by")),
            "at": comment.get("at"),
        }
    elif isinstance(comment, str) and comment:
        review = {"text": comment, "by": "", "at": None}
    diff = None
    if action.get("status") in ("draft", "submitted", "returned"):
        changes = await published_diff(request, user, action)
        diff = None if changes is None else named.changes(changes)
    return render(
        v,
        "my_action.html",
        status_code=status,
        action=action,
        review=review,
        diff=diff,
        names=named,
        can_edit=True,
        orgs=named.orgs,
        places=named.places,
        completeness=_checklist(action.get("completeness")),
        **extra,
    )


async def published_diff(
    request: Request, user: User, action: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """What the working copy changes against the published version; None for an action that
    was never published (all of it is new)."""
    public = action.get("public")
    if not isinstance(public, dict) or not public.get("version"):
        return None
    found = await read(
        request,
        user,
        "submissions",
        f"/actions/{action['id']}/diff",
        params={"from": public["version"], "to": action["version"]},
    )
    return list(found.get("changes", [])) if isinstance(found, dict) else []


@router.get("/my/actions/{action_id}", response_class=HTMLResponse)
async def my_action(action_id: str, request: Request, done: str | None = None) -> Response:
    v = await viewer(request)
    user = signed_in(v)
    action = await _working_copy(request, user, action_id)
    return await _action_page(
        request, v, user, action, done=done if done and v.t.has(f"done.{done}") else None
    )


# Submissions names what is missing in English phrases; the page names them in the reader's
# language, so it maps each known phrase to its message.
COMPLETENESS_PHRASES = {
    "a contact person": "contact",
    "the plan's measures it serves": "measures",
    "where it happens": "place",
    "how it reduces inequality, with the dimensions it addresses": "inequality",
    "a link to more information, for example Innokylä": "link",
    "start and end dates": "dates",
}


def _checklist(completeness: Any) -> dict[str, bool]:
    if not isinstance(completeness, dict):
        return {}
    missing = {COMPLETENESS_PHRASES.get(str(m)) for m in completeness.get("missing", [])}
    return {key: key not in missing for key in COMPLETENESS_PHRASES.values()}


@router.get("/my/actions/{action_id}/edit", response_class=HTMLResponse)
async def edit_action_page(action_id: str, request: Request) -> Response:
    v = await viewer(request)
    action = await _working_copy(request, signed_in(v), action_id)
    return await _action_form(
        request,
        v,
        form_from_content(action["content"]),
        {},
        action_id=action_id,
        version=action["version"],
    )


@router.post("/my/actions/{action_id}/edit", response_class=HTMLResponse)
async def edit_action(action_id: str, request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    user = signed_in(v)
    await limit_writes(request, user)
    version = str(form.get("version", ""))
    answer = await call(
        request,
        user,
        "submissions",
        "PUT",
        f"/actions/{action_id}",
        json=action_payload(form),
        headers={"If-Match": f'"{version}"'},
    )
    if answer.status_code == 200:
        return redirect(v, f"/my/actions/{action_id}?done=saved")
    if answer.status_code == 404:
        raise DomainError(404, "No such action")
    errors, message = _refusal(v, answer)
    return await _action_form(
        request,
        v,
        form,
        errors,
        action_id=action_id,
        version=int(version or 0),
        message=message,
        status=422 if errors else answer.status_code,
    )


async def workflow_step(
    request: Request, action_id: str, step: str, done: str, back: str | None = None
) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    user = signed_in(v)
    await limit_writes(request, user)
    # A return says what to change and a withdrawal why; both are kept in the history.
    body = {"comment": str(form.get("comment", "")).strip()} if step in WITH_COMMENT else None
    if body is not None and len(body["comment"]) < MIN_COMMENT:
        action = await _working_copy(request, user, action_id)
        return await _action_page(
            request, v, user, action, status=422, message=v.t(f"review.{step}_comment_needed")
        )
    answer = await call(
        request,
        user,
        "submissions",
        "POST",
        f"/actions/{action_id}/{step}",
        headers={"If-Match": f'"{form.get("version", "")}"'},
        json=body,
    )
    if answer.status_code == 200:
        return redirect(v, (back or f"/my/actions/{action_id}") + f"?done={done}")
    if answer.status_code == 404:
        raise DomainError(404, "No such action")
    action = await _working_copy(request, user, action_id)
    _, message = _refusal(v, answer)
    if answer.status_code == 422:
        message = (
            v.t("action.err.step_" + step)
            if v.t.has("action.err.step_" + step)
            else (v.t("error.incomplete"))
        )
    return await _action_page(request, v, user, action, status=answer.status_code, message=message)


@router.post("/my/actions/{action_id}/submit", response_class=HTMLResponse)
async def submit_action(action_id: str, request: Request) -> Response:
    return await workflow_step(request, action_id, "submit", "submitted")


@router.post("/my/actions/{action_id}/withdraw", response_class=HTMLResponse)
async def withdraw_action(action_id: str, request: Request) -> Response:
    """Take the published version down, with the reason (the organisation's editors and
    coordinators, as the workflow allows)."""
    return await workflow_step(request, action_id, "withdraw", "withdrawn")


# Partner decisions keep the partner organisation's id where other steps keep a comment.
PARTNER_STEPS = ("partner-approved", "partner-rejected")


@router.get("/my/actions/{action_id}/history", response_class=HTMLResponse)
async def action_history(action_id: str, request: Request) -> Response:
    v = await viewer(request)
    user = signed_in(v)
    history = await read(request, user, "submissions", f"/actions/{action_id}/history")
    if history is None:
        raise DomainError(404, "No such action")
    versions = history.get("versions", [])
    named = await action_changes.names(request, v.t, [e.get("by") for e in versions])
    tokens = await state(request)["api_tokens"].names(e.get("by") for e in versions)
    rows = []
    for entry in versions:
        comment = entry.get("comment") or ""
        if entry.get("step") in PARTNER_STEPS and comment:
            comment = named.organisation(comment)
        by = str(entry.get("by") or "")
        rows.append(
            {
                **entry,
                "by_name": v.t("history.by_link")
                if by.startswith("link:")
                else v.t("history.by_api_token", name=tokens[by])
                if by in tokens
                else named.person(by),
                "comment": comment,
            }
        )
    return render(v, "history.html", action_id=action_id, versions=rows)


@router.get("/my/actions/{action_id}/diff", response_class=HTMLResponse)
async def action_diff(
    action_id: str, request: Request, from_version: int = 0, to_version: int = 0
) -> Response:
    """Two versions side by side, field by field, with names (``?from_version=&to_version=``)."""
    v = await viewer(request)
    user = signed_in(v)
    if from_version < 1 or to_version < 1:
        raise DomainError(404, "No such version")
    found = await read(
        request,
        user,
        "submissions",
        f"/actions/{action_id}/diff",
        params={"from": from_version, "to": to_version},
    )
    if not isinstance(found, dict):
        raise DomainError(404, "No such version")
    named = await action_changes.names(request, v.t)
    return render(
        v,
        "action_diff.html",
        action_id=action_id,
        from_version=from_version,
        to_version=to_version,
        diff=named.changes(found.get("changes", [])),
    )
