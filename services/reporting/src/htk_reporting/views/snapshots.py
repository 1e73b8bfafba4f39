"""Snapshots: at the end of a reporting period every aggregate and action version is frozen, and
the yearly report is computed once from it, so it never changes afterwards."""

import uuid
from datetime import datetime
from typing import Any

from htk_reporting import store
from htk_reporting.context import Reporting
from htk_reporting.model.contribution import ALL
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.output.yearly import report_data

BATCH = 5000


async def freeze(r: Reporting, year: int, label: str, by: str, now: datetime) -> dict[str, Any]:
    sid = f"{year}-{uuid.uuid4().hex[:8]}"
    db = r.db
    async with r.projection.lock:  # no event lands halfway through the copy
        # Read now, not cached: the copy is of the figures live at this moment.
        cells = await db[(await r.projection.aggregates.fresh()).cells].find({}).to_list()
        versions = (
            await db[store.ACTIONS]
            .find({"public_version": {"$gt": 0}}, {"public_version": 1, "published": 1})
            .to_list()
        )
        docs = {c["_id"]: c for c in cells if c["scope"] == ALL or c["node"] == WHOLE_PLAN}
        report = await report_data(db, r.plan, r.geo, docs, year, now, r.ages, snapshot_id=sid)
    rows = [{**c, "_id": f"{sid}|{c['_id']}", "cell": c["_id"], "snapshot_id": sid} for c in cells]
    for start in range(0, len(rows), BATCH):
        await db[store.SNAPSHOT_CELLS].insert_many(rows[start : start + BATCH], ordered=False)
    actions = [
        {
            "_id": f"{sid}|{v['_id']}",
            "snapshot_id": sid,
            "action_id": v["_id"],
            "version": v["public_version"],
            "published": v.get("published", False),
        }
        for v in versions
    ]
    for start in range(0, len(actions), BATCH):
        await db[store.SNAPSHOT_ACTIONS].insert_many(actions[start : start + BATCH], ordered=False)
    snapshot = {
        "_id": sid,
        "year": year,
        "label": label,
        "frozen_at": now,
        "frozen_by": by,
        "plan_version": r.plan.version,
        "cells": len(rows),
        "actions": len(actions),
        "report": report,
    }
    # Written last: a snapshot is visible only once all of it is stored.
    await db[store.SNAPSHOTS].insert_one(snapshot)
    return summary(snapshot)


def summary(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "snapshot_id": s["_id"],
        "year": s["year"],
        "label": s["label"],
        "frozen_at": s["frozen_at"].isoformat(),
        "plan_version": s["plan_version"],
        "cells": s["cells"],
        "actions": s["actions"],
    }


async def cells_of(r: Reporting, sid: str, scope: str | None = None) -> dict[str, dict[str, Any]]:
    query: dict[str, Any] = {"snapshot_id": sid}
    if scope:
        query["scope"] = scope
    return {d["cell"]: d async for d in r.db[store.SNAPSHOT_CELLS].find(query)}
