"""The plan's tree and the rules every version follows, whether imported or edited.

Codes are stable: ``3`` is a priority, ``3.2`` a sub-goal under it, ``3.2.4`` a measure under
that. A code never changes meaning: a retired or merged node keeps its code, and a new node may
not take a code the plan has ever used, so old actions and yearly reports still point at what
they meant.
"""

import re
from collections.abc import Iterable
from typing import NamedTuple

from htk_contracts.catalogue import Names, PlanLevel, PlanNode, PlanNodeState

CODE = re.compile(r"^[1-9][0-9]{0,2}(\.[1-9][0-9]{0,2}){0,2}$")
LEVELS = (PlanLevel.PRIORITY, PlanLevel.SUB_GOAL, PlanLevel.MEASURE)
# Levels the coordinators edit through the API; the priorities come only with a plan file.
EDITABLE_LEVELS = (PlanLevel.SUB_GOAL, PlanLevel.MEASURE)


class PlanRuleError(Exception):
    """A change the plan's rules refuse. ``error`` names the rule, so that a page can say it in
    the reader's language with ``params`` filled in; ``message`` is the English for the API."""

    def __init__(
        self,
        field: str,
        message: str,
        status: int = 422,
        error: str = "invalid",
        params: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status
        self.error = error
        self.params = params or {}


class Problem(NamedTuple):
    """A broken rule of a plan: the node's code, the field, the English message, and the rule's
    name with its values (for messages in the reader's language)."""

    code: str
    field: str
    message: str
    error: str
    params: dict[str, str]


def code_problem(code: str) -> str | None:
    if not CODE.match(code):
        return (
            f"{code!r} is not a plan code: use 3 for a priority, 3.2 for a sub-goal, "
            "3.2.4 for a measure (numbers from 1, no leading zeros)"
        )
    return None


def level_of(code: str) -> PlanLevel:
    return LEVELS[code.count(".")]


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def sort_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def ordered(nodes: Iterable[PlanNode]) -> list[PlanNode]:
    """Parents before children, siblings by number (3.2 before 3.10)."""
    return sorted(nodes, key=lambda n: sort_key(n.code))


def tree_problems(nodes: list[PlanNode]) -> list[Problem]:
    """Every broken rule; empty when the plan is consistent."""
    problems: list[Problem] = []
    by_code: dict[str, PlanNode] = {}
    for node in nodes:
        if node.code in by_code:
            problems.append(
                Problem(
                    node.code,
                    "code",
                    f"code {node.code} appears more than once",
                    "duplicate_code",
                    {"code": node.code},
                )
            )
        by_code[node.code] = node
    if not any(n.level == PlanLevel.PRIORITY for n in nodes):
        problems.append(Problem("", "code", "the plan has no priorities", "no_priorities", {}))
    for node in nodes:
        code = node.code
        parent_code = parent_of(code)
        parent = by_code.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            problems.append(
                Problem(
                    code,
                    "code",
                    f"{code} has no parent: add {parent_code} to the plan",
                    "no_parent",
                    {"code": code, "parent": parent_code},
                )
            )
        if (
            parent is not None
            and node.state == PlanNodeState.ACTIVE
            and parent.state != PlanNodeState.ACTIVE
        ):
            problems.append(
                Problem(
                    code,
                    "state",
                    f"{code} is active but its parent {parent_code} is {parent.state.value}",
                    "active_under_inactive",
                    {"code": code, "parent": str(parent_code), "state": parent.state.value},
                )
            )
        if node.state == PlanNodeState.MERGED:
            target = by_code.get(node.merged_into or "")
            into = node.merged_into or ""
            if not node.merged_into:
                problems.append(
                    Problem(
                        code,
                        "merged_into",
                        "a merged node names what it merged into",
                        "merged_into_missing",
                        {"code": code},
                    )
                )
            elif target is None:
                problems.append(
                    Problem(
                        code,
                        "merged_into",
                        f"{into} is not in the plan",
                        "merged_into_unknown",
                        {"code": code, "into": into},
                    )
                )
            elif target.code == code or target.level != node.level:
                problems.append(
                    Problem(
                        code,
                        "merged_into",
                        f"{code} can merge only into another {node.level.value}",
                        "merge_level",
                        {"code": code, "into": into},
                    )
                )
            elif target.state != PlanNodeState.ACTIVE:
                problems.append(
                    Problem(
                        code,
                        "merged_into",
                        f"{code} merges into {target.code}, which is {target.state.value}",
                        "merge_into_inactive",
                        {"code": code, "into": into, "state": target.state.value},
                    )
                )
        elif node.merged_into:
            problems.append(
                Problem(
                    code,
                    "merged_into",
                    "only a node in state merged names merged_into",
                    "merged_into_not_merged",
                    {"code": code},
                )
            )
    return problems


def _find(nodes: list[PlanNode], code: str) -> PlanNode:
    for node in nodes:
        if node.code == code:
            return node
    raise PlanRuleError(
        "code", f"the current plan has no node {code}", 404, "no_node", {"code": code}
    )


def _editable(node: PlanNode) -> None:
    if node.level not in EDITABLE_LEVELS:
        raise PlanRuleError(
            "code",
            f"{node.code} is a priority: priorities change only with a new plan file",
            error="priority_fixed",
            params={"code": node.code},
        )


def _active_children(nodes: list[PlanNode], code: str) -> list[str]:
    return [n.code for n in nodes if parent_of(n.code) == code and n.state == PlanNodeState.ACTIVE]


def _replace(nodes: list[PlanNode], node: PlanNode) -> list[PlanNode]:
    return [node if n.code == node.code else n for n in nodes]


def edit(
    nodes: list[PlanNode],
    code: str,
    *,
    name: dict[str, str] | None = None,
    description: str | None = None,
    responsible: list[str] | None = None,
) -> list[PlanNode]:
    node = _find(nodes, code)
    _editable(node)
    if node.state != PlanNodeState.ACTIVE:
        raise PlanRuleError(
            "code",
            f"{code} is {node.state.value}; only active nodes change",
            error="not_active",
            params={"code": code, "state": node.state.value},
        )
    update: dict[str, object] = {}
    if name:
        update["name"] = Names(**{**node.name.model_dump(), **name})
    if description is not None:
        update["description"] = description
    if responsible is not None:
        update["responsible"] = responsible
    if not update:
        raise PlanRuleError(
            "name",
            "nothing to change: give name, description or responsible",
            error="nothing_to_change",
        )
    return _replace(nodes, node.model_copy(update=update))


def add(nodes: list[PlanNode], node: PlanNode, used_codes: set[str]) -> list[PlanNode]:
    problem = code_problem(node.code)
    if problem:
        raise PlanRuleError("code", problem, error="bad_code", params={"value": node.code})
    if node.level not in EDITABLE_LEVELS:
        raise PlanRuleError(
            "code",
            "priorities come only with a new plan file",
            error="priority_fixed",
            params={"code": node.code},
        )
    if node.code in used_codes:
        raise PlanRuleError(
            "code",
            f"code {node.code} is or was in use; codes are never reused, pick another",
            error="code_used",
            params={"code": node.code},
        )
    parent_code = parent_of(node.code)
    parent = next((n for n in nodes if n.code == parent_code), None)
    if parent is None or parent.state != PlanNodeState.ACTIVE:
        raise PlanRuleError(
            "code",
            f"{node.code} needs an active parent {parent_code}",
            error="no_active_parent",
            params={"code": node.code, "parent": str(parent_code)},
        )
    return ordered([*nodes, node])


def retire(nodes: list[PlanNode], code: str) -> list[PlanNode]:
    node = _find(nodes, code)
    _editable(node)
    if node.state != PlanNodeState.ACTIVE:
        raise PlanRuleError(
            "code",
            f"{code} is already {node.state.value}",
            error="not_active",
            params={"code": code, "state": node.state.value},
        )
    children = _active_children(nodes, code)
    if children:
        raise PlanRuleError(
            "code",
            f"{code} still has active measures {', '.join(children)}: retire or merge them",
            error="active_children",
            params={"code": code, "children": ", ".join(children)},
        )
    return _replace(nodes, node.model_copy(update={"state": PlanNodeState.RETIRED}))


def merge(nodes: list[PlanNode], code: str, into: str) -> list[PlanNode]:
    node = _find(nodes, code)
    _editable(node)
    if node.state != PlanNodeState.ACTIVE:
        raise PlanRuleError(
            "code",
            f"{code} is already {node.state.value}",
            error="not_active",
            params={"code": code, "state": node.state.value},
        )
    target = next((n for n in nodes if n.code == into), None)
    if target is None:
        raise PlanRuleError(
            "into",
            f"the current plan has no node {into}",
            error="merged_into_unknown",
            params={"code": code, "into": into},
        )
    if target.code == code or target.level != node.level:
        raise PlanRuleError(
            "into",
            f"{code} can merge only into another {node.level.value}",
            error="merge_level",
            params={"code": code, "into": into},
        )
    if target.state != PlanNodeState.ACTIVE:
        raise PlanRuleError(
            "into",
            f"{into} is {target.state.value}; merge into an active node",
            error="merge_into_inactive",
            params={"code": code, "into": into, "state": target.state.value},
        )
    children = _active_children(nodes, code)
    if children:
        raise PlanRuleError(
            "code",
            f"{code} still has active measures {', '.join(children)}: retire or merge them",
            error="active_children",
            params={"code": code, "children": ", ".join(children)},
        )
    return _replace(
        nodes, node.model_copy(update={"state": PlanNodeState.MERGED, "merged_into": into})
    )
