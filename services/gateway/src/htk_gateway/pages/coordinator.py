"""Coordinators' pages: the review queue, organisation approvals, bulk import and plan editing
(the dashboard, snapshots and the yearly report are in pages/dashboard.py)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.pages import action_changes
from htk_gateway.pages.member import published_diff, workflow_step
from htk_gateway.pages.public import this_year
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.forms import error_message
from htk_gateway.web.guards import (
    COORDINATOR,
    COORDINATOR_WRITE,
    Coordinator,
    Form,
    Reader,
)
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User

router = APIRouter(include_in_schema=False)


def _done(v: Viewer, done: str | None) -> str | None:
    return done if done and v.t.has(f"done.{done}") else None


QUEUE_PAGE = 50


@router.get("/review", response_class=HTMLResponse)
async def review_queue(
    request: Request,
    v: Reader,
    user: Coordinator,
    done: str | None = None,
    organisation: str = "",
    county: str = "",
    measure: str = "",
) -> Response:
    """The queue with everything needed to decide in place: the difference from the published
    version, publish, and return with a comment; filtered by organisation, county and measure."""
    params: dict[str, Any] = {"status": "submitted", "limit": QUEUE_PAGE}
    chosen = {"organisation": organisation, "county": county, "measure": measure}
    if organisation:
        params["organisation_id"] = organisation[:64]
    if county:
        params["county"] = county[:2]
    if measure:
        params["measure"] = measure[:20]
    page = await read(request, user, "submissions", "/actions", params=params)
    message = None if isinstance(page, dict) else v.t("review.filter_refused")
    items = page.get("items", []) if isinstance(page, dict) else []
    named = await action_changes.names(request, v.t)
    for item in items:
        diff = await published_diff(request, user, item)
        item["diff"] = None if diff is None else named.changes(diff)
    tree = await reference.plan(request)
    return render(
        v,
        "review.html",
        items=items,
        done=_done(v, done),
        message=message,
        names=named,
        chosen=chosen,
        filtered=any(chosen.values()),
        orgs=await reference.organisation_names(request),
        counties=await reference.counties(request),
        measures=reference.active_measures(tree),
    )


# The role is checked before the form, as a reviewer's own page would refuse a member first.
@router.post(
    "/review/{action_id}/publish",
    response_class=HTMLResponse,
    dependencies=[COORDINATOR, COORDINATOR_WRITE],
)
async def publish(
    action_id: str, request: Request, form: Form, v: Reader, user: Coordinator
) -> Response:
    return await workflow_step(
        request, form, v, user, action_id, "publish", "published", back="/review"
    )


@router.post(
    "/review/{action_id}/return",
    response_class=HTMLResponse,
    dependencies=[COORDINATOR, COORDINATOR_WRITE],
)
async def return_action(
    action_id: str, request: Request, form: Form, v: Reader, user: Coordinator
) -> Response:
    return await workflow_step(
        request, form, v, user, action_id, "return", "returned", back="/review"
    )


async def _hub(request: Request, v: Viewer, user: User, **extra: Any) -> Response:
    proposed = (
        await read(
            request,
            user,
            "catalogue",
            "/organisations",
            params={"status": "proposed", "limit": 200},
        )
        or {}
    )
    return render(
        v,
        "coordinator.html",
        proposed=proposed.get("items", []) if isinstance(proposed, dict) else [],
        plan_nodes=reference.plan_nodes(await reference.plan(request)),
        year=this_year(),
        **extra,
    )


@router.get("/coordinator", response_class=HTMLResponse)
async def hub(request: Request, v: Reader, user: Coordinator, done: str | None = None) -> Response:
    return await _hub(request, v, user, done=_done(v, done))


@router.get("/coordinator/requests", response_class=HTMLResponse)
async def pending_requests(
    request: Request, v: Reader, user: Coordinator, done: str | None = None
) -> Response:
    """Everything waiting for a decision, on one page: proposed organisations (with proposer,
    Business ID and home) and every request to join, also where the organisation has no admin
    who could decide it."""
    waiting = await read(request, user, "catalogue", "/requests") or {}
    return render(
        v,
        "requests.html",
        organisations=waiting.get("organisations", []),
        memberships=waiting.get("memberships", []),
        places=await reference.place_names(request),
        done=_done(v, done),
    )


@router.post(
    "/coordinator/organisations/{organisation_id}",
    response_class=HTMLResponse,
    dependencies=[COORDINATOR_WRITE],
)
async def decide_organisation(
    organisation_id: str, request: Request, form: Form, v: Reader, user: Coordinator
) -> Response:
    status = "approved" if form.get("status") == "approved" else "rejected"
    answer = await call(
        request,
        user,
        "catalogue",
        "POST",
        f"/organisations/{organisation_id}/decision",
        json={"status": status},
    )
    if answer.status_code != 200:
        message, _ = error_list(answer)
        return await _hub(request, v, user, message=message or v.t("error.generic"))
    reference.forget()
    # Decided from the list of pending requests: back there; otherwise back to the tools.
    back = "/coordinator/requests" if form.get("back") == "requests" else "/coordinator"
    return redirect(v, f"{back}?done=organisation_{status}")


@router.post("/coordinator/import", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE])
async def bulk_import(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return await _hub(request, v, user, message=v.t("coordinator.no_file"))
    content = await upload.read()
    answer = await call(
        request,
        user,
        "submissions",
        "POST",
        "/imports",
        params={"dry_run": "true" if form.get("dry_run") == "true" else "false"},
        files={
            "file": (
                upload.filename or "import.csv",
                content,
                upload.content_type or "application/octet-stream",
            )
        },
    )
    try:
        result = answer.json()
    except ValueError:
        result = {}
    if answer.status_code >= 400 and not result.get("errors"):
        return await _hub(request, v, user, message=result.get("message") or v.t("error.generic"))
    summary = {
        "created": result.get("created", result.get("imported", 0)),
        "skipped": result.get("already_imported", result.get("skipped", 0)),
        "errors": [
            {
                "row": e.get("row", "?"),
                "field": e.get("field", e.get("column", "")),
                # The service's text is English; the reader gets the rule in their language.
                "message": error_message(
                    v.t,
                    str(e.get("field", e.get("column", "")) or ""),
                    str(e.get("type") or "") or None,
                )[1],
            }
            for e in result.get("errors", [])
        ],
    }
    return await _hub(request, v, user, import_result=summary)
