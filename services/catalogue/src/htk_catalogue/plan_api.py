"""The plan over HTTP: the current version, every earlier one, and the coordinators' changes."""

from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from htk_catalogue import plan_tree
from htk_catalogue.catalogue import CatalogueDep
from htk_catalogue.plan_file import MAX_TEXT, PlanFileRefused
from htk_catalogue.plan_store import PlanStore
from htk_catalogue.plan_tree import PlanRuleError, parent_of
from htk_contracts.catalogue import Names, PlanNode
from htk_runtime.auth import Coordinator
from htk_runtime.errors import DomainError
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


class NewNode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(description="e.g. 3.2 for a sub-goal, 3.2.5 for a measure")]
    name: Names
    description: Description = ""
    responsible: Responsible = []


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: Annotated[str, Field(description="The code of the node this one merges into")]


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


@router.get("")
async def current_plan(catalogue: CatalogueDep) -> dict[str, Any]:
    return tree(await _current(catalogue.plan), current=True)


@router.get("/versions")
async def versions(catalogue: CatalogueDep) -> list[dict[str, Any]]:
    return [summary(doc) for doc in await catalogue.plan.history()]


@router.get("/versions/{version}")
async def version(
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)], catalogue: CatalogueDep
) -> dict[str, Any]:
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


@router.post("/imports", status_code=201)
async def import_plan(
    request: Request,
    user: Coordinator,
    catalogue: CatalogueDep,
    filename: Annotated[str, Query(max_length=200)] = "plan.csv",
) -> dict[str, Any]:
    """Import a whole plan from a CSV file sent as the request body (see the README)."""
    data = await request.body()
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(413, f"The plan file is larger than {MAX_FILE_BYTES} bytes", field="file")
    try:
        doc = await catalogue.plan.import_file(data, filename, user.member_id)
    except PlanFileRefused as exc:
        raise refused(exc) from exc
    return summary(doc)


async def _change(
    catalogue: CatalogueDep, apply: Any, description: str, by: str, code: str
) -> dict[str, Any]:
    try:
        doc = await catalogue.plan.change(apply, description, by)
    except PlanRuleError as exc:
        raise DomainError(exc.status, exc.message, field=exc.field) from exc
    node = next(n for n in doc["nodes"] if n["code"] == code)
    return {"plan": summary(doc), "node": node}


@router.patch("/nodes/{code}")
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

    return await _change(catalogue, apply, f"edit {code}", user.member_id, code)


@router.post("/nodes", status_code=201)
async def add_node(body: NewNode, user: Coordinator, catalogue: CatalogueDep) -> dict[str, Any]:
    problem = plan_tree.code_problem(body.code)
    if problem:
        raise DomainError(422, problem, field="code")
    node = PlanNode(
        code=body.code,
        level=plan_tree.level_of(body.code),
        name=body.name,
        description=body.description,
        responsible=body.responsible,
    )

    def apply(nodes: list[PlanNode], used: set[str]) -> list[PlanNode]:
        return plan_tree.add(nodes, node, used)

    return await _change(catalogue, apply, f"add {body.code}", user.member_id, body.code)


@router.post("/nodes/{code}/retire")
async def retire_node(code: str, user: Coordinator, catalogue: CatalogueDep) -> dict[str, Any]:
    def apply(nodes: list[PlanNode], _used: set[str]) -> list[PlanNode]:
        return plan_tree.retire(nodes, code)

    return await _change(catalogue, apply, f"retire {code}", user.member_id, code)


@router.post("/nodes/{code}/merge")
async def merge_node(
    code: str, body: Annotated[Merge, Body()], user: Coordinator, catalogue: CatalogueDep
) -> dict[str, Any]:
    def apply(nodes: list[PlanNode], _used: set[str]) -> list[PlanNode]:
        return plan_tree.merge(nodes, code, body.into)

    return await _change(catalogue, apply, f"merge {code} into {body.into}", user.member_id, code)


@router.get("/nodes/{code}")
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
