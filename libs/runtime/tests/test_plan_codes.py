"""Where an action's codes count after a plan change: merged codes under their target and its
ancestors, retired codes nowhere, unknown codes as themselves."""

from datetime import UTC, datetime

from htk_contracts.catalogue import Names, PlanNode, PlanVersion
from htk_runtime.plan_codes import changed_codes, counted_codes, resolve


def plan(version: int, states: dict[str, tuple[str, str | None]]) -> PlanVersion:
    def node(code: str) -> PlanNode:
        state, into = states.get(code, ("active", None))
        return PlanNode(
            code=code,
            level=("priority", "sub_goal", "measure")[code.count(".")],
            name=Names(fi=code, sv=code, en=code),
            state=state,
            merged_into=into,
        )

    codes = ["1", "2", "1.1", "2.1", "1.1.1", "1.1.2", "2.1.1", "2.1.2"]
    return PlanVersion(
        version=version,
        created_at=datetime.now(UTC),
        change="t",
        example=True,
        nodes=[node(c) for c in codes],
    )


def test_merged_codes_count_under_the_target_and_its_ancestors() -> None:
    v1 = plan(1, {})
    v2 = plan(2, {"1.1.2": ("merged", "2.1.1"), "2.1.1": ("merged", "2.1.2")})
    v3 = plan(3, {"1.1.1": ("retired", None)})
    assert resolve(v2, "1.1.2") == "2.1.2"  # followed transitively
    assert counted_codes(v2, ["1.1.2", "1.1", "1"]) == {"2.1.2", "2.1", "2", "1.1", "1"}
    assert counted_codes(v3, ["1.1.1", "1.1", "1"]) == {"1.1", "1"}
    assert counted_codes(None, ["9.9.9"]) == {"9.9.9", "9.9", "9"}
    assert changed_codes(v1, v2) == {"1.1.2", "2.1.1"}
    assert changed_codes(v1, v1) == set()
