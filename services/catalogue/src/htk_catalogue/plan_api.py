"""The plan over HTTP: the current version, every earlier one, and the coordinators' changes."""

from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from htk_catalogue import plan_tree
from htk_catalogue.catalogue import CatalogueDep
from htk_catalogue.plan_file import MAX_TEXT, PlanFileRefused, parse_plan
from htk_catalogue.plan_schemas import (
    PlanChange,
    PlanImportCheck,
    PlanNodeAnswer,
    PlanSummary,
    PlanTree,
)
from htk_catalogue.plan_store import NEWEST_FIRST, PlanStore
from htk_catalogue.plan_tree import PlanRuleError, parent_of
from htk_contracts.catalogue import Names, PlanNode
from htk_runtime.auth import Coordinator
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.keyset import position_of
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of
from htk_runtime.text import public_text

router = APIRouter(prefix="/plan", tags=["plan"])

EXAMPLE_NOTICE = (
    "This plan contains EXAMPLE sub-goals and measures for demonstrations and tests; they are "
    "not the official plan. The four priorities are real. Nodes marked example=true are examples."
)
MAX_FILE_BYTES = 2_000_000
MAX_VERSION = 1_000_000

# The plan's names and descriptions are public: plain text, no hidden characters.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(public_text),
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT), AfterValidator(public_text)
]
Responsible = Annotated[list[Text], Field(max_length=30)]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_TEXT),
    Field(description="Why: kept with the new plan version next to who made it"),
]


class NameChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fi: Text | None = None
    sv: Text | None = None
    en: Text | None = None


class NodeChange(BaseModel):
    """Rename or redescribe a sub-goal or measure; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: NameChange | None = None
    description: Description | None = None
    responsible: Responsible | None = None
    reason: Reason = ""


class NewNode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(description="e.g. 3.2 for a sub-goal, 3.2.5 for a measure")]
    name: Names
    description: Description = ""
    responsible: Responsible = []
    reason: Reason = ""


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: Annotated[str, Field(description="The code of the node this one merges into")]
    reason: Reason = ""


class Retirement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = ""


def tree(doc: dict[str, Any], current: bool) -> dict[str, Any]:
    children: dict[str | None, list[dict[str, Any]]] = {}
    for node in doc["nodes"]:
        children.setdefault(parent_of(node["code"]), []).append(node)

    def build(node: dict[str, Any]) -> dict[str, Any]:
        return {**node, "children": [build(c) for c in children.get(node["code"], [])]}

    return {
        **summary(doc),
        "current": current,
        "priorities": [build(n) for n in children.get(None, [])],
    }


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    levels = [n["level"] for n in doc.get("nodes", [])]
    return {
        "version": doc["_id"],
        "created_at": doc["created_at"],
        "created_by": doc["created_by"],
        "change": doc["change"],
        "reason": doc.get("reason", ""),
        "example": doc["example"],
        **({"notice": EXAMPLE_NOTICE} if doc["example"] else {}),
        **(
            {
                "counts": {
                    level: levels.count(level) for level in ("priority", "sub_goal", "measure")
                }
            }
            if levels
            else {}
        ),
    }


async def _current(plan: PlanStore) -> dict[str, Any]:
    doc = await plan.current()
    if doc is None:
        raise DomainError(
            404, "No plan has been loaded yet: a coordinator runs `htk plan import FILE`"
        )
    return doc


@router.get("", response_model=PlanTree, responses=error_answers(404))
async def current_plan(
    catalogue: CatalogueDep,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="A past version; the current if none")
    ] = None,
) -> dict[str, Any]:
    if version is not None:
        return await _version_tree(catalogue, version)
    return tree(await _current(catalogue.plan), current=True)


@router.get("/versions", responses=error_answers())
async def versions(
    catalogue: CatalogueDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[PlanSummary]:
    """Every plan version, newest first, without its nodes."""
    found = await catalogue.plan.history(limit, decode_cursor(cursor))
    page = page_of(found, limit, lambda doc: position_of(doc, NEWEST_FIRST))
    return Page[PlanSummary](
        items=[PlanSummary.model_validate(summary(doc)) for doc in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get("/versions/{version}", response_model=PlanTree, responses=error_answers(404))
async def version(
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)], catalogue: CatalogueDep
) -> dict[str, Any]:
    return await _version_tree(catalogue, version)


async def _version_tree(catalogue: CatalogueDep, version: int) -> dict[str, Any]:
    doc = await catalogue.plan.version(version)
    if doc is None:
        raise DomainError(404, f"There is no plan version {version}", field="version")
    latest = await _current(catalogue.plan)
    return tree(doc, current=doc["_id"] == latest["_id"])


def refused(exc: PlanFileRefused) -> DomainError:
    errors = [e.as_dict() for e in exc.errors]
    return DomainError(
        422,
        f"The plan file was refused whole ({len(errors)} errors); the plan is unchanged",
        errors=cast(list[dict[str, str]], errors),
    )


def _compare(old: list[dict[str, Any]], new: list[PlanNode]) -> dict[str, list[str]]:
    """What a file would change against the current version, code by code."""
    before = {n["code"]: n for n in old}
    out: dict[str, list[str]] = {"added": [], "renamed": [], "retired": [], "merged": []}
    for node in new:
        was = before.get(node.code)
        if was is None:
            out["added"].append(node.code)
            continue
        state = node.state.value
        if state != was.get("state", "active") and state in ("retired", "merged"):
            out[state].append(node.code)
        elif node.name.model_dump() != was.get("name"):
            out["renamed"].append(node.code)
    return out


@router.post(
    "/imports",
    status_code=201,
    response_model=PlanSummary | PlanImportCheck,
    responses=error_answers(401, 403, 409, 413, 415),
)
async def import_plan(
    request: Request,
    user: Coordinator,
    catalogue: CatalogueDep,
    filename: Annotated[str, Query(max_length=200)] = "plan.csv",
    dry_run: Annotated[
        bool, Query(description="Only check the file and say what it would change")
    ] = False,
    reason: Annotated[str, Query(max_length=MAX_TEXT)] = "",
) -> dict[str, Any]:
    """Import a whole plan from a CSV file sent as the request body (see the README). A file
    with any error is refused whole with every error by line and field (422)."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        # A form upload parsed as CSV would be refused for its MIME boundary lines, which says
        # nothing useful; name the real problem instead.
        raise DomainError(
            415, "Send the CSV file itself as the request body, not a multipart form", field="file"
        )
    data = await request.body()
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(413, f"The plan file is larger than {MAX_FILE_BYTES} bytes", field="file")
    try:
        if dry_run:
            nodes = parse_plan(data)
            current = await catalogue.plan.current()
            levels = [n.level.value for n in nodes]
            return {
                "dry_run": True,
                "filename": filename,
                "counts": {
                    level: levels.count(level) for level in ("priority", "sub_goal", "measure")
                },
                "changes": _compare(current["nodes"] if current else [], nodes),
                "errors": [],
            }
        doc = await catalogue.plan.import_file(data, filename, user.member_id, reason.strip())
    except PlanFileRefused as exc:
        raise refused(exc) from exc
    return summary(doc)


def rule_refused(exc: PlanRuleError) -> DomainError:
    detail = {"field": exc.field, "message": exc.message, "error": exc.error, "params": exc.params}
    return DomainError(exc.status, exc.message, errors=cast(list[dict[str, str]], [detail]))


async def _change(
    catalogue: CatalogueDep, apply: Any, description: str, by: str, code: str, reason: str
) -> dict[str, Any]:
    try:
        doc = await catalogue.plan.change(apply, description, by, reason)
    except PlanRuleError as exc:
        raise rule_refused(exc) from exc
    node = next(n for n in doc["nodes"] if n["code"] == code)
    return {"plan": summary(doc), "node": node}


@router.patch(
    "/nodes/{code}", response_model=PlanChange, responses=error_answers(401, 403, 404, 409)
)
async def change_node(
    code: str, body: NodeChange, user: Coordinator, catalogue: CatalogueDep
) -> dict[str, Any]:
    def apply(nodes: list[PlanNode], _used: set[str]) -> list[PlanNode]:
        return plan_tree.edit(
            nodes,
            code,
            name=body.name.model_dump(exclude_none=True) if body.name else None,
            description=body.description,
            responsible=body.responsible,
        )

    return await _change(catalogue, apply, f"edit {code}", user.member_id, code, body.reason)


@router.post(
    "/nodes",
    status_code=201,
    response_model=PlanChange,
    responses=error_answers(401, 403, 404, 409),
)
async def add_node(body: NewNode, user: Coordinator, catalogue: CatalogueDep) -> dict[str, Any]:
    problem = plan_tree.code_problem(body.code)
    if problem:
        raise rule_refused(
            PlanRuleError("code", problem, error="bad_code", params={"value": body.code})
        )
    node = PlanNode(
        code=body.code,
        level=plan_tree.level_of(body.code),
        name=body.name,
        description=body.description,
        responsible=body.responsible,
    )

    def apply(nodes: list[PlanNode], used: set[str]) -> list[PlanNode]:
        return plan_tree.add(nodes, node, used)

    return await _change(
        catalogue, apply, f"add {body.code}", user.member_id, body.code, body.reason
    )


@router.post(
    "/nodes/{code}/retire",
    response_model=PlanChange,
    responses=error_answers(401, 403, 404, 409),
)
async def retire_node(
    code: str,
    user: Coordinator,
    catalogue: CatalogueDep,
    body: Annotated[Retirement | None, Body()] = None,
) -> dict[str, Any]:
    """Retire a sub-goal or measure: its actions count under "retired" from now on."""

    def apply(nodes: list[PlanNode], _used: set[str]) -> list[PlanNode]:
        return plan_tree.retire(nodes, code)

    reason = body.reason if body else ""
    return await _change(catalogue, apply, f"retire {code}", user.member_id, code, reason)


@router.post(
    "/nodes/{code}/merge",
    response_model=PlanChange,
    responses=error_answers(401, 403, 404, 409),
)
async def merge_node(
    code: str, body: Annotated[Merge, Body()], user: Coordinator, catalogue: CatalogueDep
) -> dict[str, Any]:
    def apply(nodes: list[PlanNode], _used: set[str]) -> list[PlanNode]:
        return plan_tree.merge(nodes, code, body.into)

    return await _change(
        catalogue, apply, f"merge {code} into {body.into}", user.member_id, code, body.reason
    )


@router.get("/nodes/{code}", response_model=PlanNodeAnswer, responses=error_answers(404))
async def node(
    code: str,
    catalogue: CatalogueDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> dict[str, Any]:
    doc = await (catalogue.plan.version(version) if version else _current(catalogue.plan))
    if doc is None:
        raise DomainError(404, f"There is no plan version {version}", field="version")
    found = next((n for n in doc["nodes"] if n["code"] == code), None)
    if found is None:
        raise DomainError(404, f"Plan version {doc['_id']} has no node {code}", field="code")
    return {"version": doc["_id"], "example": doc["example"], "node": found}
