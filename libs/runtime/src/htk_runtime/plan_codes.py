"""Where an action's plan codes count under a plan version, the same for every projection.

An action names the codes of the plan version it was written against. Under a later version an
active code counts as itself; a merged code counts under the node it was merged into (followed
transitively) and that node's sub-goal and priority; a retired code counts nowhere in the plan
(reporting keeps a separate "retired" figure). Search facets and coverage figures both use this,
so that they list the same measures with the same counts after a plan change.
"""

from collections.abc import Iterable, Mapping

from htk_contracts.catalogue import PlanVersion

RETIRED = "retired"
# Each node's state ("active", "merged", "retired") and the code it was merged into, by code:
# what resolving needs, from a PlanVersion (search) or from reporting's view of the plan event.
States = Mapping[str, tuple[str, str | None]]


def _parent(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestors(code: str) -> list[str]:
    """``1.2.3`` -> ``["1", "1.2"]``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def resolve_in(states: States, code: str) -> str:
    """The code ``code`` counts under now, or ``RETIRED``. A code the plan does not know (no plan
    loaded yet, say) counts as itself; a cycle of merges stops where it would repeat."""
    seen: set[str] = set()
    while code in states and code not in seen:
        seen.add(code)
        state, merged_into = states[code]
        if state == "retired":
            return RETIRED
        if state == "merged" and merged_into:
            code = merged_into
            continue
        return code
    return code


def states_of(plan: PlanVersion) -> dict[str, tuple[str, str | None]]:
    return {n.code: (n.state.value, n.merged_into) for n in plan.nodes}


def resolve(plan: PlanVersion | None, code: str) -> str:
    """:func:`resolve_in` under ``plan`` (no plan: every code counts as itself)."""
    return code if plan is None else resolve_in(states_of(plan), code)


def counted_codes(plan: PlanVersion | None, codes: Iterable[str]) -> set[str]:
    """Every plan code the action counts under: each code's resolution and, for a code that
    moved, the new ancestors. Retired codes count under none."""
    out: set[str] = set()
    named = set(codes)
    for code in list(named):
        parent = _parent(code)
        while parent:
            named.add(parent)
            parent = _parent(parent)
    for code in sorted(named):
        resolved = resolve(plan, code)
        if resolved == RETIRED:
            continue
        out.add(resolved)
        if resolved != code:
            parent = _parent(resolved)
            while parent:
                ancestor = resolve(plan, parent)
                if ancestor != RETIRED:
                    out.add(ancestor)
                parent = _parent(parent)
    return out


def changed_codes(old: PlanVersion | None, new: PlanVersion) -> set[str]:
    """Codes whose resolution differs between two versions: the actions naming them move."""
    codes = {n.code for n in new.nodes} | ({n.code for n in old.nodes} if old else set())
    return {c for c in codes if resolve(old, c) != resolve(new, c)}
