"""Reconciliation: recompute every aggregate from the stored source events and compare."""

from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting import store
from htk_reporting.counting.recount import Recount
from htk_reporting.model.contribution import normalised
from htk_reporting.model.geography import Geography
from htk_reporting.model.plan import PlanView
from htk_reporting.store import actions, aggregates, catalogue
from htk_reporting.store import log as action_log


@dataclass
class Report:
    cells_checked: int = 0
    actions_checked: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


async def verify(db: AsyncDatabase[dict[str, Any]], geo: Geography) -> Report:
    plan_doc = await catalogue.plan_record(db)
    plan = PlanView.from_event(plan_doc["plan"]) if plan_doc else PlanView()
    org_types = await catalogue.org_types(db)
    counter = Recount(plan, org_types, geo, with_key_series=True)
    async for batch in action_log.public_log_by_action(db):
        for versions in batch:
            counter.add_action(versions)
    current = counter.current
    expected = normalised([*counter.cells().items(), *counter.key_series().items()])
    g = await store.read_generation(db)
    live = normalised(
        [
            *[(d["_id"], store.flatten(d)) for d in await aggregates.all_cells(db, g)],
            *[(d["_id"], store.flatten(d)) for d in await aggregates.all_series(db, g)],
        ]
    )
    report = Report(cells_checked=len(expected.keys() | live.keys()))
    for cid in sorted(expected.keys() | live.keys()):
        want, have = expected.get(cid, {}), live.get(cid, {})
        for name in sorted(want.keys() | have.keys()):
            if want.get(name, 0) != have.get(name, 0):
                report.differences.append(
                    f"{cid} {name}: live {have.get(name, 0)}, recomputed {want.get(name, 0)}"
                )
    held = {d["_id"]: d.get("public_version", 0) for d in await actions.public_versions(db)}
    report.actions_checked = len(held.keys() | current.keys())
    for action_id in sorted(held.keys() | current.keys()):
        want_v = current[action_id]["version"] if action_id in current else 0
        if held.get(action_id, 0) != want_v:
            report.differences.append(
                f"action {action_id}: live version {held.get(action_id, 0)}, log {want_v}"
            )
    return report
