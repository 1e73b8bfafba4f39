"""Members' pages: their organisations' actions, writing and editing them with messages beside
the fields, submitting for review, the review comments and each action's history. An organisation's
admins manage its members and profile in pages/organisations.py."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_contracts.actions import ActionState, InequalityDimension, TargetGroup
from htk_gateway.pages import action_changes
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.deps import ApiTokensDep, members
from htk_gateway.web.forms import (
    action_payload,
    form_from_content,
    link_rows,
    translate_errors,
)
from htk_gateway.web.guards import (
    MEMBER_WRITE,
    Form,
    Reader,
    SignedIn,
)
from htk_gateway.web.listing import read_all
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

WITH_COMMENT = ("return", "withdraw")
MIN_COMMENT = 3  # as submissions requires


async def _own_organisations(request: Request, user: User) -> list[dict[str, Any]]:
    names = await reference.organisation_names(request)
    ids = list(user.organisations)
    if user.coordinator and not ids:
        return list(names.values())
    return [names.get(o, {"id": o, "name_fi": o}) for o in ids]


@router.get("/my/actions", response_class=HTMLResponse)
async def my_actions(
    request: Request, v: Reader, user: SignedIn, cursor: str | None = None
) -> Response:
    params: dict[str, Any] = {"limit": 50}
    if cursor:
        params["cursor"] = cursor
    if user.coordinator and not user.organisations:
        params["status"] = "draft"
    page = await read(request, user, "submissions", "/actions", params=params) or {}
    return render(
        v,
        "my_actions.html",
        items=page.get("items", []),
        next_url=(
            "/my/actions?" + urlencode({"cursor": page["next_cursor"]})
            if page.get("next_cursor")
            else None
        ),
        orgs=await reference.organisation_names(request),
    )


async def _contacts(request: Request, organisation_ids: list[str]) -> list[dict[str, Any]]:
    """Who can be the contact, per organisation: its approved members."""
    names = await reference.organisation_names(request)
    return [
        {
            "id": org_id,
            "name": names.get(org_id, {"id": org_id, "name_fi": org_id}),
            "members": await members(request).of_organisation(org_id),
        }
        for org_id in organisation_ids
    ]


async def _action_form(
    request: Request,
    v: Viewer,
    user: User,
    form: dict[str, Any],
    errors: dict[str, str],
    *,
    action_id: str | None = None,
    version: int | None = None,
    message: str | None = None,
    status: int = 200,
    action: dict[str, Any] | None = None,
) -> Response:
    """The form for a new action or an edit: every field of the action, with the
    completeness checklist beside it when editing (each item links to its field)."""
    own = await _own_organisations(request, user)
    if action is not None:
        # The owner never changes: the form shows it, and offers the owner's members as contacts.
        owner_ids = [action["organisation_id"]]
    else:
        # A coordinator of no organisation may write for any: contacts are offered once the
        # owner is known (when editing), not for every organisation at once.
        owner_ids = list(user.organisations)
    return render(
        v,
        "action_form.html",
        status_code=status,
        form=form,
        errors=errors,
        message=message,
        action_id=action_id,
        version=version,
        action=action,
        own_organisations=own,
        owner_name=v.t.name(
            (await reference.organisation_names(request)).get(action["organisation_id"])
        )
        if action is not None
        else None,
        contacts=await _contacts(request, owner_ids),
        partner_options=await reference.organisations(request),
        plan=await reference.plan(request),
        counties=await reference.counties(request),
        municipalities=await reference.municipalities(request),
        target_groups=[g.value for g in TargetGroup],
        dimensions=[d.value for d in InequalityDimension],
        states=[s.value for s in ActionState],
        link_rows=link_rows(form),
        completeness=completeness_view(action.get("completeness")) if action else None,
    )


@router.get("/my/actions/new", response_class=HTMLResponse)
async def new_action(request: Request, v: Reader, user: SignedIn) -> Response:
    return await _action_form(request, v, user, {"language": v.lang}, {})


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


@router.post("/my/actions/new", response_class=HTMLResponse, dependencies=[MEMBER_WRITE])
async def create_action(request: Request, form: Form, v: Reader, user: SignedIn) -> Response:
    answer = await call(request, user, "submissions", "POST", "/actions", json=action_payload(form))
    if answer.status_code == 201:
        return redirect(v, f"/my/actions/{answer.json()['id']}?done=created")
    errors, message = _refusal(v, answer)
    return await _action_form(request, v, user, form, errors, message=message, status=422)


async def _working_copy(request: Request, user: User, action_id: str) -> dict[str, Any]:
    """The working copy, only for its organisation's members and coordinators; everyone else
    learns nothing, not even that a draft exists."""
    found = await read(request, user, "submissions", f"/actions/{action_id}")
    if not found or "status" not in found or "content" not in found:
        raise DomainError(404, "No such action")
    return dict(found)


async def my_action_context(request: Request, user: User, action: dict[str, Any]) -> dict[str, Any]:
    """What the member's page of an action shows about its upkeep and partners: the contact,
    the completeness checklist, likely duplicates while it is a draft, and requests to join as
    partners (with whether the reader decides them)."""
    duplicates: dict[str, Any] = {}
    if action["status"] in ("draft", "returned"):
        duplicates = (
            await read(request, user, "submissions", f"/actions/{action['id']}/possible-duplicates")
            or {}
        )
    pending = [
        {"organisation_id": org, **request_}
        for org, request_ in (action.get("partner_requests") or {}).items()
        if request_.get("status") == "pending"
    ]
    contact_id = action["content"].get("contact_member_id")
    contact = await members(request).get(contact_id) if contact_id else None
    return {
        "contact_name": (contact or {}).get("name") or contact_id,
        "completeness": completeness_view(action.get("completeness")),
        "duplicates": duplicates.get("actions", []),
        "duplicates_unavailable": bool(duplicates) and not duplicates.get("available", True),
        "partner_requests": pending,
        "decides_partners": user.coordinator or user.is_admin_of(action["organisation_id"]),
    }


async def action_page(
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
        **await my_action_context(request, user, action),
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
async def my_action(
    action_id: str, request: Request, v: Reader, user: SignedIn, done: str | None = None
) -> Response:
    action = await _working_copy(request, user, action_id)
    return await action_page(
        request, v, user, action, done=done if done and v.t.has(f"done.{done}") else None
    )


# Where each completeness item is fixed in the form.
COMPLETENESS_FIELDS = {
    "contact": "contact_member_id",
    "measures": "measures",
    "place": "place",
    "inequality": "inequality_dimensions",
    "link": "links",
    "dates": "start_date",
}


def completeness_view(completeness: Any) -> dict[str, Any] | None:
    """The score and each check with whether it is met and the form field that fixes it."""
    if not isinstance(completeness, dict) or not isinstance(completeness.get("checks"), dict):
        return None
    return {
        "score": completeness.get("score", 0),
        "items": [
            {"key": key, "present": bool(present), "field": COMPLETENESS_FIELDS.get(key, key)}
            for key, present in completeness["checks"].items()
        ],
    }


@router.get("/my/actions/{action_id}/edit", response_class=HTMLResponse)
async def editaction_page(action_id: str, request: Request, v: Reader, user: SignedIn) -> Response:
    action = await _working_copy(request, user, action_id)
    return await _action_form(
        request,
        v,
        user,
        form_from_content(action["content"]),
        {},
        action_id=action_id,
        version=action["version"],
        action=action,
    )


@router.post(
    "/my/actions/{action_id}/edit", response_class=HTMLResponse, dependencies=[MEMBER_WRITE]
)
async def edit_action(
    action_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    action = await _working_copy(request, user, action_id)
    payload = action_payload(
        {**form, "organisation_id": action["organisation_id"]}, stored=action["content"]
    )
    version = str(form.get("version", ""))
    answer = await call(
        request,
        user,
        "submissions",
        "PUT",
        f"/actions/{action_id}",
        json=payload,
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
        user,
        form,
        errors,
        action_id=action_id,
        version=int(version or 0),
        message=message,
        status=422 if errors else answer.status_code,
        action=action,
    )


async def workflow_step(
    request: Request,
    form: dict[str, Any],
    v: Viewer,
    user: User,
    action_id: str,
    step: str,
    done: str,
    back: str | None = None,
) -> Response:
    """One workflow step of an action, for a route guarded by ``MEMBER_WRITE`` (or
    stricter): the services decide whether the reader may take it."""
    # A return says what to change and a withdrawal why; both are kept in the history.
    body = {"comment": str(form.get("comment", "")).strip()} if step in WITH_COMMENT else None
    if body is not None and len(body["comment"]) < MIN_COMMENT:
        action = await _working_copy(request, user, action_id)
        return await action_page(
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
    return await action_page(request, v, user, action, status=answer.status_code, message=message)


@router.post(
    "/my/actions/{action_id}/submit", response_class=HTMLResponse, dependencies=[MEMBER_WRITE]
)
async def submit_action(
    action_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    return await workflow_step(request, form, v, user, action_id, "submit", "submitted")


@router.post(
    "/my/actions/{action_id}/withdraw", response_class=HTMLResponse, dependencies=[MEMBER_WRITE]
)
async def withdraw_action(
    action_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    """Take the published version down, with the reason (the organisation's editors and
    coordinators, as the workflow allows)."""
    return await workflow_step(request, form, v, user, action_id, "withdraw", "withdrawn")


# Partner decisions keep the partner organisation's id where other steps keep a comment.
PARTNER_STEPS = ("partner-approved", "partner-rejected")


@router.get("/my/actions/{action_id}/history", response_class=HTMLResponse)
async def action_history(
    action_id: str, request: Request, v: Reader, user: SignedIn, api_tokens: ApiTokensDep
) -> Response:
    versions = await read_all(request, user, "submissions", f"/actions/{action_id}/history")
    if versions is None:
        raise DomainError(404, "No such action")
    named = await action_changes.names(request, v.t, [e.get("by") for e in versions])
    tokens = await api_tokens.names(e.get("by") for e in versions)
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
    action_id: str,
    request: Request,
    v: Reader,
    user: SignedIn,
    from_version: int = 0,
    to_version: int = 0,
) -> Response:
    """Two versions side by side, field by field, with names (``?from_version=&to_version=``)."""
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
