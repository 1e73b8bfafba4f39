"""Snapshots: at the end of a reporting period every aggregate and action version is frozen, and
the yearly report is computed once from it, so it never changes afterwards."""

import uuid
from datetime import datetime
from typing import Any

from htk_reporting.context import Reporting
from htk_reporting.model.contribution import ALL
from htk_reporting.model.plan import WHOLE_PLAN
from htk_reporting.output.yearly import report_data
from htk_reporting.store import actions, aggregates
from htk_reporting.store import snapshots as snapshot_store


async def freeze(r: Reporting, year: int, label: str, by: str, now: datetime) -> dict[str, Any]:
    sid = f"{year}-{uuid.uuid4().hex[:8]}"
    db = r.db
    async with r.projection.lock:  # no event lands halfway through the copy
        # Read now, not cached: the copy is of the figures live at this moment.
        cells = await aggregates.all_cells(db, await r.projection.aggregates.fresh())
        versions = await actions.public_versions(db)
        docs = {c["_id"]: c for c in cells if c["scope"] == ALL or c["node"] == WHOLE_PLAN}
        report = await report_data(db, r.plan, r.geo, docs, year, now, snapshot_id=sid)
    rows = [{**c, "_id": f"{sid}|{c['_id']}", "cell": c["_id"], "snapshot_id": sid} for c in cells]
    await snapshot_store.add_cells(db, rows)
    frozen_actions = [
        {
            "_id": f"{sid}|{v['_id']}",
            "snapshot_id": sid,
            "action_id": v["_id"],
            "version": v["public_version"],
            "published": v.get("published", False),
        }
        for v in versions
    ]
    await snapshot_store.add_actions(db, frozen_actions)
    snapshot = {
        "_id": sid,
        "year": year,
        "label": label,
        "frozen_at": now,
        "frozen_by": by,
        "plan_version": r.plan.version,
        "cells": len(rows),
        "actions": len(frozen_actions),
        "report": report,
    }
    # Written last: a snapshot is visible only once all of it is stored.
    await snapshot_store.add(db, snapshot)
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
    return await snapshot_store.cells_of(r.db, sid, scope)
