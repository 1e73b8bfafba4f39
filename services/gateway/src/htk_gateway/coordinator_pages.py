"""Coordinators' pages: the review queue, the live dashboard, organisation approvals, bulk
import, plan editing, exports and the yearly report."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway import reference
from htk_gateway.forms import error_message
from htk_gateway.member_pages import signed_in, workflow_step
from htk_gateway.pages import coverage_context, this_year
from htk_gateway.web import (
    Viewer,
    call,
    error_list,
    form_data,
    limit_writes,
    read,
    redirect,
    render,
    viewer,
)
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)


def coordinator(v: Viewer) -> User:
    user = signed_in(v)
    if not user.coordinator:
        raise DomainError(403, "Only the plan's coordinators can do this")
    return user


def _done(v: Viewer, done: str | None) -> str | None:
    return done if done and v.t.has(f"done.{done}") else None


@router.get("/review", response_class=HTMLResponse)
async def review_queue(request: Request, done: str | None = None) -> Response:
    v = await viewer(request)
    user = coordinator(v)
    page = (
        await read(
            request, user, "submissions", "/actions", params={"status": "submitted", "limit": 200}
        )
        or {}
    )
    return render(
        v,
        "review.html",
        items=page.get("items", []),
        done=_done(v, done),
        orgs=await reference.organisation_names(request),
    )


@router.post("/review/{action_id}/publish", response_class=HTMLResponse)
async def publish(action_id: str, request: Request) -> Response:
    coordinator(await viewer(request))
    return await workflow_step(request, action_id, "publish", "published", back="/review")


@router.post("/review/{action_id}/return", response_class=HTMLResponse)
async def return_action(action_id: str, request: Request) -> Response:
    coordinator(await viewer(request))
    return await workflow_step(request, action_id, "return", "returned", back="/review")


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    v = await viewer(request)
    user = coordinator(v)
    context = await coverage_context(request, v)
    pipeline = await read(request, user, "reporting", "/coverage/pipeline")
    series = (
        await read(request, None, "reporting", "/coverage/series", params={"period": "months"})
        or {}
    )
    exports = await read(request, user, "reporting", "/exports") or {}
    return render(
        v,
        "dashboard.html",
        **context,
        pipeline=_pipeline(pipeline),
        series_rows=[
            {
                "period": r.get("period") or r.get("month") or r.get("week") or "",
                "actions": int(r.get("actions", 0)),
                "organisations": r.get("organisations"),
                "municipalities": r.get("municipalities"),
            }
            for r in series.get("rows", [])[-24:]
        ],
        export_tables=exports.get("tables", []),
        year=this_year(),
    )


def _pipeline(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    return {k: data.get(k, 0) for k in ("draft", "submitted", "returned")}


async def _hub(request: Request, v: Viewer, **extra: Any) -> Response:
    user = coordinator(v)
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
async def hub(request: Request, done: str | None = None) -> Response:
    v = await viewer(request)
    return await _hub(request, v, done=_done(v, done))


@router.post("/coordinator/organisations/{organisation_id}", response_class=HTMLResponse)
async def decide_organisation(organisation_id: str, request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    user = coordinator(v)
    await limit_writes(request, user)
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
        return await _hub(request, v, message=message or v.t("error.generic"))
    reference.forget()
    return redirect(v, f"/coordinator?done=organisation_{status}")


@router.post("/coordinator/import", response_class=HTMLResponse)
async def bulk_import(request: Request) -> Response:
    form = await request.form()
    from htk_gateway import csrf

    csrf.check(request, str(form.get("csrf") or ""))
    v = await viewer(request)
    user = coordinator(v)
    await limit_writes(request, user)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return await _hub(request, v, message=v.t("coordinator.no_file"))
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
        return await _hub(request, v, message=result.get("message") or v.t("error.generic"))
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
                    str(e.get("message", "")),
                    str(e.get("type") or "") or None,
                )[1],
            }
            for e in result.get("errors", [])
        ],
    }
    return await _hub(request, v, import_result=summary)


@router.post("/coordinator/plan/rename", response_class=HTMLResponse)
async def rename_node(request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    user = coordinator(v)
    await limit_writes(request, user)
    names = {k: str(form.get(f"name_{k}", "")).strip() for k in ("fi", "sv", "en")}
    if not all(names.values()):
        return await _hub(request, v, message=v.t("coordinator.names_needed"))
    answer = await call(
        request, user, "catalogue", "PATCH", f"/plan/nodes/{form.get('code')}", json={"name": names}
    )
    if answer.status_code not in (200, 201):
        message, _ = error_list(answer)
        return await _hub(request, v, message=message or v.t("error.generic"))
    reference.forget()
    return redirect(v, "/coordinator?done=plan_changed")


@router.post("/coordinator/plan/import", response_class=HTMLResponse)
async def import_plan(request: Request) -> Response:
    form = await request.form()
    from htk_gateway import csrf

    csrf.check(request, str(form.get("csrf") or ""))
    v = await viewer(request)
    user = coordinator(v)
    await limit_writes(request, user)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return await _hub(request, v, message=v.t("coordinator.no_file"))
    answer = await call(
        request,
        user,
        "catalogue",
        "POST",
        "/plan/imports",
        files={"file": (upload.filename or "plan.csv", await upload.read(), "text/csv")},
    )
    if answer.status_code not in (200, 201):
        message, errors = error_list(answer)
        detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors[:10])
        return await _hub(request, v, message=f"{message} {detail}".strip())
    reference.forget()
    return redirect(v, "/coordinator?done=plan_changed")
