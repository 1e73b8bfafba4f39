"""Pages around an action's upkeep and partners: asking to join an action as a partner (from its
public page, or from a draft that turned out to duplicate it), the owner's admins deciding, the
"still current" confirmation (button, and the one-click link of reminder mails) and the
coordinators' "send reminders now"."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.pages.coordinator import _hub as hub_page
from htk_gateway.pages.member import action_page, workflow_step
from htk_gateway.pages.public import public_action_page
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.guards import (
    COORDINATOR_WRITE,
    MEMBER_WRITE,
    VISITOR_WRITE,
    Coordinator,
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

# Refusals of a partner request, by status, in the reader's language.
PARTNER_REFUSALS = {
    403: "partners.err.not_member",
    404: "partners.err.not_published",
    409: "partners.err.conflict",
    422: "partners.err.organisation",
}


async def _ask(
    request: Request, v: Viewer, user: User, action_id: str, organisation_id: str
) -> tuple[int, str | None]:
    """Send the request: its status, and the reason in the reader's language if refused."""
    answer = await call(
        request,
        user,
        "submissions",
        "POST",
        f"/actions/{action_id}/partners",
        json={"organisation_id": organisation_id},
    )
    if answer.status_code == 202:
        return 202, None
    return answer.status_code, v.t(PARTNER_REFUSALS.get(answer.status_code, "error.generic"))


@router.post(
    "/actions/{action_id}/partners", response_class=HTMLResponse, dependencies=[MEMBER_WRITE]
)
async def ask_to_join(
    action_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    """From the public page: a member asks, for one of their organisations, to join."""
    status, refused = await _ask(
        request, v, user, action_id, str(form.get("organisation_id") or "")
    )
    if refused is None:
        return redirect(v, f"/actions/{action_id}?done=partner_requested")
    return await public_action_page(request, v, action_id, message=refused, status_code=status)


@router.post(
    "/my/actions/{action_id}/join/{target_id}",
    response_class=HTMLResponse,
    dependencies=[MEMBER_WRITE],
)
async def join_instead(
    action_id: str, target_id: str, request: Request, v: Reader, user: SignedIn
) -> Response:
    """From a draft's duplicate warning: the draft's organisation asks to join the existing
    action ``target_id`` instead; the draft stays, unsubmitted, for the member to drop or keep."""
    draft = await read(request, user, "submissions", f"/actions/{action_id}")
    if not draft or "status" not in draft:
        raise DomainError(404, "No such action")
    status, refused = await _ask(request, v, user, target_id, str(draft["organisation_id"]))
    if refused is None:
        return redirect(v, f"/my/actions/{action_id}?done=partner_requested")
    return await action_page(request, v, user, draft, status=status, message=refused)


@router.post(
    "/my/actions/{action_id}/partners/{organisation_id}/{decision}",
    response_class=HTMLResponse,
    dependencies=[MEMBER_WRITE],
)
async def decide_partner(
    action_id: str,
    organisation_id: str,
    decision: str,
    request: Request,
    form: Form,
    v: Reader,
    user: SignedIn,
) -> Response:
    if decision not in ("approve", "reject"):
        raise DomainError(404, "No such page")
    answer = await call(
        request,
        user,
        "submissions",
        "POST",
        f"/actions/{action_id}/partners/{organisation_id}/{decision}",
        headers={"If-Match": f'"{form.get("version", "")}"'},
    )
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code, message or "Refused")
    done = "partner_approved" if decision == "approve" else "partner_rejected"
    back = "/my/partners" if form.get("back") == "partners" else f"/my/actions/{action_id}"
    return redirect(v, f"{back}?done={done}")


@router.get("/my/partners", response_class=HTMLResponse)
async def partner_requests(
    request: Request, v: Reader, user: SignedIn, done: str | None = None
) -> Response:
    """Requests to join the actions of the organisations the reader administers."""
    organisations: list[str | None] = list(v.admin_of)
    if not organisations and not user.coordinator:
        raise DomainError(403, "Only an organisation's admins decide on partners")
    actions: list[dict[str, Any]] = []
    # A coordinator who administers no organisation sees every waiting request.
    for org_id in organisations or [None]:
        params: dict[str, Any] = {"pending_partners": "true"}
        if org_id:
            params["organisation_id"] = org_id
        actions += await read_all(request, user, "submissions", "/actions", params) or []
    rows = [
        {"action": a, "organisation_id": org, **req}
        for a in actions
        for org, req in (a.get("partner_requests") or {}).items()
        if req.get("status") == "pending"
    ]
    return render(
        v,
        "partner_requests.html",
        rows=rows,
        orgs=await reference.organisation_names(request),
        done=done if done and v.t.has(f"done.{done}") else None,
    )


@router.post(
    "/my/actions/{action_id}/confirm", response_class=HTMLResponse, dependencies=[MEMBER_WRITE]
)
async def still_current(
    action_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    """The member's "still current" button: the published description is still true."""
    return await workflow_step(request, form, v, user, action_id, "confirm", "confirmed")


async def _public_title(request: Request, action_id: str) -> str:
    action = await read(request, None, "submissions", f"/actions/{action_id}")
    if not action or "title" not in action:
        raise DomainError(404, "No published action with this id")
    return str(action["title"])


@router.get("/actions/{action_id}/confirm", response_class=HTMLResponse)
async def reminder_link(action_id: str, request: Request, v: Reader, token: str = "") -> Response:
    """Where a reminder mail's link lands. Opening a link changes nothing (mail scanners open
    links too): the page asks for the one click that confirms, or opens the edit form."""
    return render(
        v,
        "reminder_confirm.html",
        action_id=action_id,
        title=await _public_title(request, action_id),
        token=token[:200],
        outcome=None,
    )


@router.post(
    "/actions/{action_id}/confirm", response_class=HTMLResponse, dependencies=[VISITOR_WRITE]
)
async def confirm_by_link(action_id: str, request: Request, form: Form, v: Reader) -> Response:
    answer = await call(
        request,
        None,
        "submissions",
        "POST",
        f"/actions/{action_id}/confirm-by-link",
        json={"token": str(form.get("token") or "")[:200]},
    )
    if answer.status_code == 404:
        raise DomainError(404, "No such action")
    if answer.status_code == 200:
        body = answer.json()
        outcome = "already" if body.get("already_confirmed") else "confirmed"
        if not body.get("published", True):
            outcome = "not_published"
    else:
        outcome = "invalid"
    return render(
        v,
        "reminder_confirm.html",
        status_code=200 if outcome != "invalid" else 422,
        action_id=action_id,
        title=await _public_title(request, action_id),
        token="",
        outcome=outcome,
    )


@router.post(
    "/coordinator/reminders", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE]
)
async def send_reminders_now(request: Request, v: Reader, user: Coordinator) -> Response:
    """Run the reminder round at once (it also runs on a timer), for testing and operations."""
    answer = await call(request, user, "submissions", "POST", "/reminders/run")
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code, message or "Refused")
    sent = answer.json()
    return await hub_page(
        request,
        v,
        user,
        reminders_result={
            "actions": int(sent.get("actions", 0)),
            "mails": int(sent.get("mails", 0)),
        },
    )
