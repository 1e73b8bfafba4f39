"""A plan change moves counts: a merged measure's actions count under the target, a retired
measure's under "retired" and out of "needs a push"."""

from htk_reporting.counting.verify import verify
from htk_reporting.main import create_service
from htk_testing.reporting_events import action_event, example_plan, plan_event
from htk_testing.runtime import running


async def test_merge_and_retire_move_counts(service_env: dict[str, str]) -> None:
    service = create_service()
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan(1))
        await p.apply(action_event("published", "a1", 1, ["1.1.1"], municipalities=["091"]))
        await p.apply(action_event("published", "a2", 1, ["2.2.1"]))

        nodes = [n for n in example_plan(1).data["nodes"] if n["code"] not in ("1.1.1", "2.2.1")]
        changed = [
            *({"code": n["code"]} for n in nodes),
            {"code": "1.1.1", "state": "merged", "merged_into": "3.1.2"},
            {"code": "2.2.1", "state": "retired"},
        ]
        await p.apply_plan(plan_event(2, changed))

        body = (await client.get("/coverage")).json()
        rows = {r["code"]: r for r in body["rows"]}
        assert body["plan_version"] == 2
        assert "1.1.1" not in rows and "2.2.1" not in rows
        assert rows["3.1.2"]["actions"] == 1 and rows["3.1"]["actions"] == 1
        assert rows["3"]["actions"] == 1
        # The old sub-goal keeps the action: its code is still active.
        assert rows["1.1"]["actions"] == 1
        assert rows["retired"]["actions"] == 1
        assert rows["2.2"]["actions"] == 1
        assert all(
            r["code"] != "retired"
            for r in (await client.get("/coverage/needs-push")).json()["rows"]
        )
        # Drill-down follows the merge.
        behind = (await client.get(rows["3.1.2"]["actions_url"])).json()["items"]
        assert [a["action_id"] for a in behind] == ["a1"]
        # Live updates after the change keep using the new plan.
        await p.apply(action_event("updated", "a1", 2, ["1.1.1", "1.2.1"], municipalities=["091"]))
        rows = {r["code"]: r for r in (await client.get("/coverage")).json()["rows"]}
        assert rows["3.1.2"]["actions"] == 1 and rows["1.2.1"]["actions"] == 1
        assert (await verify(p.db, p.geo)).differences == []
