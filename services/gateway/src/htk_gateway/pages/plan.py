"""The plan in the browser: every past version as a page, and for coordinators the plan's own
tools: importing a plan file (with a dry run), adding, renaming, retiring and merging sub-goals
and measures, each change a new version with who made it and why.

The catalogue names every refused rule (``error`` and ``params``), so refusals are said here in
the reader's language with the line and field they concern.
"""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.guards import (
    COORDINATOR,
    COORDINATOR_WRITE,
    Coordinator,
    Form,
    Reader,
)
from htk_gateway.web.i18n import Translator
from htk_gateway.web.listing import read_all
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

MAX_PLAN_FILE = 2_000_000
LANGS = ("fi", "sv", "en")


def explain(t: Translator, error: dict[str, Any]) -> str:
    """A refusal from the catalogue in the reader's language, by the rule it names; the
    service's English only for a rule this page does not know yet."""
    key = f"planerr.{error.get('error', '')}"
    raw = error.get("params")
    params = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    # A message whose values did not all come would show its placeholders: use the English.
    if t.has(key) and set(re.findall(r"\{([a-z_]+)\}", t(key))) <= set(params):
        return t(key, **params)
    return str(error.get("message", ""))


CHANGES = {
    "import": re.compile(r"^import (?P<file>.+)$"),
    "edit": re.compile(r"^edit (?P<code>[\d.]+)$"),
    "add": re.compile(r"^add (?P<code>[\d.]+)$"),
    "retire": re.compile(r"^retire (?P<code>[\d.]+)$"),
    "merge": re.compile(r"^merge (?P<code>[\d.]+) into (?P<into>[\d.]+)$"),
}


def describe_change(t: Translator, change: str) -> str:
    """The catalogue records each version's change in a fixed English form ("merge 1.1.2 into
    1.1.1"); pages say it in the reader's language."""
    for kind, pattern in CHANGES.items():
        found = pattern.match(change or "")
        if found:
            return t(f"planversions.change_{kind}", **found.groupdict())
    return change


def _rows(t: Translator, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"line": e.get("line"), "field": e.get("field") or "", "message": explain(t, e)}
        for e in errors
    ]


def _walk(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return list(reference.plan_nodes(tree).values())


async def _versions(request: Request, t: Translator) -> list[dict[str, Any]]:
    versions = await read_all(request, None, "catalogue", "/plan/versions") or []
    names = await reference.member_names(request, [v.get("created_by") for v in versions])
    return [
        {
            **v,
            "by_name": names.get(str(v.get("created_by"))),
            "change_text": describe_change(t, str(v.get("change", ""))),
        }
        for v in versions
    ]


async def _admin(request: Request, v: Viewer, status: int = 200, **extra: Any) -> Response:
    """The plan tools, for routes guarded by ``COORDINATOR`` (or its write guard)."""
    tree = await reference.plan(request)
    nodes = _walk(tree)
    active = [n for n in nodes if n.get("state", "active") == "active"]
    return render(
        v,
        "plan_admin.html",
        status_code=status,
        plan=tree,
        sub_goals=[n for n in active if n.get("level") == "sub_goal"],
        parents=[n for n in active if n.get("level") in ("priority", "sub_goal")],
        editable=[n for n in active if n.get("level") in ("sub_goal", "measure")],
        versions=(await _versions(request, v.t))[:10],
        **extra,
    )


@router.get("/coordinator/plan", response_class=HTMLResponse, dependencies=[COORDINATOR])
async def plan_admin(request: Request, v: Reader, done: str | None = None) -> Response:
    return await _admin(request, v, done=done if done and v.t.has(f"done.{done}") else None)


async def _refused(request: Request, v: Viewer, answer: Any, form: str) -> Response:
    message, errors = error_list(answer)
    if not errors:
        return await _admin(
            request, v, status=answer.status_code, message=message or v.t("error.generic")
        )
    return await _admin(
        request,
        v,
        status=answer.status_code,
        errors=_rows(v.t, errors),
        failed_form=form,
        message=v.t("planadmin.refused"),
    )


async def _change(
    request: Request,
    form: dict[str, Any],
    v: Viewer,
    user: User,
    form_name: str,
    method: str,
    path: str,
    body: dict[str, Any],
) -> Response:
    """One change to the plan, for a route guarded by ``COORDINATOR_WRITE``."""
    reason = str(form.get("reason", "")).strip()
    if not reason:
        return await _admin(
            request, v, status=422, message=v.t("planadmin.reason_needed"), failed_form=form_name
        )
    answer = await call(request, user, "catalogue", method, path, json={**body, "reason": reason})
    if answer.status_code not in (200, 201):
        return await _refused(request, v, answer, form_name)
    reference.forget()
    return redirect(v, f"/coordinator/plan?done=plan_{form_name}")


@router.post("/coordinator/plan/add", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE])
async def add_node(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    parent = str(form.get("parent", "")).strip()
    number = str(form.get("number", "")).strip()
    names = {lang: str(form.get(f"name_{lang}", "")).strip() for lang in LANGS}
    return await _change(
        request,
        form,
        v,
        user,
        "added",
        "POST",
        "/plan/nodes",
        {"code": f"{parent}.{number}" if parent else number, "name": names},
    )


@router.post(
    "/coordinator/plan/rename", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE]
)
async def rename_node(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    names = {lang: str(form.get(f"name_{lang}", "")).strip() for lang in LANGS}
    code = str(form.get("code", ""))
    return await _change(
        request,
        form,
        v,
        user,
        "renamed",
        "PATCH",
        f"/plan/nodes/{code}",
        {"name": {k: value for k, value in names.items() if value} or None},
    )


@router.post(
    "/coordinator/plan/retire", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE]
)
async def retire_node(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    return await _change(
        request, form, v, user, "retired", "POST", f"/plan/nodes/{form.get('code', '')}/retire", {}
    )


@router.post(
    "/coordinator/plan/merge", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE]
)
async def merge_node(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    return await _change(
        request,
        form,
        v,
        user,
        "merged",
        "POST",
        f"/plan/nodes/{form.get('code', '')}/merge",
        {"into": str(form.get("into", ""))},
    )


@router.post(
    "/coordinator/plan/import", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE]
)
async def import_plan(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return await _admin(request, v, status=422, message=v.t("coordinator.no_file"))
    data = await upload.read(MAX_PLAN_FILE + 1)
    dry_run = form.get("dry_run") == "true"
    reason = str(form.get("reason", "")).strip()
    if not dry_run and not reason:
        return await _admin(
            request, v, status=422, message=v.t("planadmin.reason_needed"), failed_form="import"
        )
    filename = (upload.filename or "plan.csv")[:200]
    # The catalogue takes the CSV itself as the body (its CLI and API contract), not a form.
    answer = await call(
        request,
        user,
        "catalogue",
        "POST",
        "/plan/imports",
        params={"filename": filename, "dry_run": str(dry_run).lower(), "reason": reason},
        content=data,
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
    if answer.status_code not in (200, 201):
        return await _refused(request, v, answer, "import")
    if dry_run:
        return await _admin(request, v, checked={**answer.json(), "filename": filename})
    reference.forget()
    return redirect(v, "/coordinator/plan?done=plan_imported")


@router.get("/plan/versions", response_class=HTMLResponse)
async def versions_page(request: Request, v: Reader) -> Response:
    return render(v, "plan_versions.html", versions=await _versions(request, v.t))


@router.get("/plan/versions/{number}", response_class=HTMLResponse)
async def version_page(number: int, request: Request, v: Reader) -> Response:
    if number < 1 or number > 1_000_000:
        raise DomainError(404, "No such plan version")
    tree = await read(request, None, "catalogue", f"/plan/versions/{number}")
    if not isinstance(tree, dict):
        raise DomainError(404, "No such plan version")
    names = await reference.member_names(request, [tree.get("created_by")])
    return render(
        v,
        "plan.html",
        plan={**tree, "change_text": describe_change(v.t, str(tree.get("change", "")))},
        nodes=reference.plan_nodes(tree),
        by_name=names.get(str(tree.get("created_by"))),
        past=not tree.get("current", False),
        counts={},
        pushes={},
        followed=set(),
    )
