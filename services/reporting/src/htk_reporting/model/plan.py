"""The plan version in force, and how an action's measure codes map onto it.

Actions name measures of the plan version they were written against. Counting happens under the
current version: an active code counts as itself; a merged code counts under the code it was
merged into (followed transitively) and that code's sub-goal and priority; a retired code counts
under the single node ``retired``, never under "needs a push". A code the plan does not know
(no plan loaded yet, say) counts as itself.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from htk_runtime.plan_codes import RETIRED, States, ancestors, resolve_in

WHOLE_PLAN = "*"


@dataclass(frozen=True)
class PlanNodeView:
    code: str
    level: str
    state: str
    name: str
    merged_into: str | None = None
    # The name in every language the plan gives ({"fi", "sv", "en"}), for reports in each.
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class PlanView:
    version: int = 0
    nodes: dict[str, PlanNodeView] = field(default_factory=dict)

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> "PlanView":
        nodes = {
            n["code"]: PlanNodeView(
                code=n["code"],
                level=n["level"],
                state=n.get("state", "active"),
                name=n.get("name", {}).get("fi", n["code"]),
                merged_into=n.get("merged_into"),
                names={k: v for k, v in (n.get("name") or {}).items() if v},
            )
            for n in data.get("nodes", [])
        }
        return cls(version=int(data["version"]), nodes=nodes)

    @cached_property
    def states(self) -> States:
        return {c: (n.state, n.merged_into) for c, n in self.nodes.items()}

    def resolve(self, code: str) -> str:
        """The one resolution search uses too (htk_runtime.plan_codes)."""
        return resolve_in(self.states, code)

    def targets(self, code: str) -> set[str]:
        """Every node ``code`` counts under: its resolution and, if moved, the new ancestors."""
        resolved = self.resolve(code)
        out = {resolved}
        if resolved not in (code, RETIRED):
            out.update(self.resolve(a) for a in ancestors(resolved))
        return out

    def count_nodes(self, codes: Iterable[str]) -> set[str]:
        out = {WHOLE_PLAN}
        for code in codes:
            out |= self.targets(code)
        return out

    def sources(self, node: str) -> set[str]:
        """Raw codes whose actions count under ``node`` (for opening a figure's actions)."""
        codes = {node} | set(self.nodes)
        return {c for c in codes if node in self.targets(c)}

    def active(self, level: str | None = None) -> list[PlanNodeView]:
        return [
            n
            for n in sorted(self.nodes.values(), key=lambda n: code_key(n.code))
            if n.state == "active" and (level is None or n.level == level)
        ]

    def name(self, code: str) -> str:
        node = self.nodes.get(code)
        return node.name if node else code


def raw_codes(
    measures: Iterable[str], sub_goals: Iterable[str], priorities: Iterable[str]
) -> set[str]:
    codes = set(measures) | set(sub_goals) | set(priorities)
    for m in list(codes):
        codes.update(ancestors(m))
    return codes


def code_key(code: str) -> tuple[Any, ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in code.split("."))
