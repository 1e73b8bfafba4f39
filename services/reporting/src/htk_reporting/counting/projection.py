"""Live aggregates, moved by each action event in one small transaction.

Every event goes to the event log first (``<action id>:<version>``); an entry already there means
a duplicate or a replay, and nothing else happens. The action's public state is its newest
published/updated/withdrawn version, so:

- a public event newer than any held moves the action's contribution (old out, new in) and adds
  the change to the time series at the event's time;
- an older one arriving late leaves the current figures alone and only corrects the time series
  for the span it was in force;
- drafted/submitted/returned change only the workflow state (pipeline).

The log write, the version check and the aggregate changes share one transaction, so a crash never
leaves half an event applied. The documents touched are the action's own cells, usually a dozen.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from htk_contracts.envelope import Envelope
from htk_reporting import store
from htk_reporting.counting.rebuild import rebuild
from htk_reporting.counting.stream import Broadcaster
from htk_reporting.model.contribution import (
    ALL,
    Cells,
    action_cells,
    cell_id,
    contribution,
    difference,
    key_cells,
    key_series_delta,
    merge,
    scopes,
    series_delta,
    split_cell,
    split_series,
)
from htk_reporting.model.facts import log_entry
from htk_reporting.model.geography import Geography
from htk_reporting.model.plan import WHOLE_PLAN, PlanView
from htk_reporting.store import actions, aggregates, catalogue
from htk_reporting.store import log as action_log
from htk_runtime.consumer import organisation_event, plan_event
from htk_runtime.lease import Lease

log = logging.getLogger(__name__)

WORKFLOW_STATE = {
    "drafted": "draft",
    "submitted": "submitted",
    "returned": "returned",
    "published": None,
    "updated": None,
    "withdrawn": None,
}


class Projection:
    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        geo: Geography,
        broadcaster: Broadcaster | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.geo = geo
        self.broadcaster = broadcaster or Broadcaster()
        self.clock = clock
        self.plan = PlanView()
        self.org_types: dict[str, str] = {}
        # One writer at a time: a plan change rebuilds while no action event is half applied.
        self.lock = asyncio.Lock()
        # The same across replicas: one rebuilds while the others hold their events back.
        self.lease = Lease(catalogue.leases(db), "rebuild")
        # The live generation of the aggregates, as the request handlers read it.
        self.aggregates = store.Aggregates(db)
        # How long an old generation outlives its switch: longer than a reader caches it.
        self.drop_grace = 2 * self.aggregates.max_age + 1
        self._dropping: set[asyncio.Task[None]] = set()

    async def load(self) -> None:
        await store.ensure_indexes(self.db)
        marked = await self.lease.document()
        if marked and marked.get("switching") and not await self.lease.held_by_other():
            # A rebuild was killed while it switched to its complete generation: finish it.
            switching = marked["switching"]
            target = switching.get("generation")
            await self._finish_switch(
                store.generation(target) if target is not None else None, switching.get("record")
            )
        if not await self.lease.held_by_other():
            # Generations a replica killed after its switch had no time to drop; the one just
            # before the live one may still be read by another replica's cache (_drop_later).
            await store.drop_generations(self.db, (await self.aggregates.fresh()).number - 1)
        await self._load_plan()
        self.org_types.update(await catalogue.org_types(self.db))

    async def _load_plan(self) -> None:
        doc = await catalogue.plan_record(self.db)
        if doc:
            self.plan = PlanView.from_event(doc["plan"])

    async def _after_others_rebuild(self) -> None:
        """Waits while another replica rebuilds; takes up the plan version it switched to (the
        plan topic reaches one replica of the group only)."""
        lease = await self.lease.wait_until_free()
        if lease and lease.get("plan_version", 0) > self.plan.version:
            await self._load_plan()

    # -- action events ---------------------------------------------------------------------

    async def apply(self, envelope: Envelope[dict[str, Any]]) -> bool:
        """Apply one action event; False if it was already applied (duplicate or replay)."""
        entry, action = log_entry(envelope)
        # Wall-clock time, not self.clock: cached past figures are checked against it
        # (counting/past.py).
        entry["applied_at"] = datetime.now(UTC)
        async with self.lock:
            await self._after_others_rebuild()
            touched: set[str] = set()

            async def write(session: AsyncClientSession) -> bool:
                touched.clear()
                if await action_log.has_entry(self.db, entry["_id"], session):
                    return False
                live = await aggregates.live_in(self.db, session)
                await action_log.add_entry(self.db, entry, session)
                held = await actions.held(self.db, entry["action_id"], session) or {
                    "_id": entry["action_id"],
                    "public_version": 0,
                    "workflow_version": 0,
                }
                changes: Cells = {}
                series: Cells = {}
                update: dict[str, Any] = {}
                if entry["public_kind"]:
                    changes, series, update = await self._public_change(
                        entry, action, held, session
                    )
                if entry["version"] > held.get("workflow_version", 0):
                    update |= self._workflow_change(entry, held)
                if update:
                    await actions.set_fields(self.db, entry["action_id"], update, session)
                await self._write_cells(live, changes, session)
                await self._write_series(live, series, session)
                touched.update(changes)
                return True

            async with self.db.client.start_session() as session:
                applied: bool = await session.with_transaction(write)
            if applied:
                await self._announce(entry, touched)
            return applied

    async def _neighbour(
        self, entry: dict[str, Any], after: bool, session: AsyncClientSession
    ) -> dict[str, Any] | None:
        return await action_log.public_neighbour(
            self.db, entry["action_id"], entry["version"], after, session
        )

    async def _public_change(
        self,
        entry: dict[str, Any],
        action: Any,
        held: dict[str, Any],
        session: AsyncClientSession,
    ) -> tuple[Cells, Cells, dict[str, Any]]:
        previous = await self._neighbour(entry, after=False, session=session)
        following = await self._neighbour(entry, after=True, session=session)
        previous_facts = previous["facts"] if previous else None
        before = action_cells(previous_facts, self.plan, self.geo)
        this = action_cells(entry["facts"], self.plan, self.geo)
        keys_before = key_cells(previous_facts, self.plan, self.geo)
        keys_this = key_cells(entry["facts"], self.plan, self.geo)
        series = key_series_delta(keys_this, keys_before, entry["time"])
        if following is not None:
            # Late: it was in force from its own time until the next public version's time.
            return (
                merge(
                    series_delta(this, before, entry["time"]),
                    series_delta(before, this, following["time"]),
                ),
                merge(series, key_series_delta(keys_before, keys_this, following["time"])),
                {},
            )
        facts = entry["facts"]
        org_type = self.org_types.get(facts["organisation_id"]) if facts else None
        changes = merge(
            difference(
                contribution(facts, org_type, self.plan, self.geo),
                contribution(held.get("public"), held.get("org_type"), self.plan, self.geo),
            ),
            series_delta(this, before, entry["time"]),
        )
        update = {
            "public_version": entry["version"],
            "public": facts,
            "published": facts is not None,
            "org_type": org_type,
            "codes": facts["codes"] if facts else [],
            "scopes": scopes(facts, self.geo) if facts else [],
            "snapshot": action.model_dump(mode="json") if action is not None else None,
            "changed_at": entry["time"],
        }
        return changes, series, update

    def _workflow_change(self, entry: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
        state = WORKFLOW_STATE[entry["kind"]]
        update: dict[str, Any] = {
            "workflow_version": entry["version"],
            "workflow_state": state,
            "organisation_id": entry["organisation_id"],
        }
        if state != held.get("workflow_state"):
            update["workflow_since"] = entry["time"]
        return update

    async def _write_cells(
        self, live: store.Generation, changes: Cells, session: AsyncClientSession | None
    ) -> None:
        labelled = {}
        for cid, fields in changes.items():
            node, scope = split_cell(cid)
            labelled[cid] = (fields, {"node": node, "scope": scope})
        await aggregates.add_to_cells(self.db, live, labelled, session)

    async def _write_series(
        self, live: store.Generation, changes: Cells, session: AsyncClientSession | None
    ) -> None:
        labelled = {}
        for sid, fields in changes.items():
            node, scope, kind, quarter = split_series(sid)
            labels = {"cell": cell_id(node, scope), "kind": kind, "quarter": quarter}
            labelled[sid] = (fields, labels)
        await aggregates.add_to_series(self.db, live, labelled, session)

    async def _announce(self, entry: dict[str, Any], touched: set[str]) -> None:
        if not self.broadcaster.listeners:
            return
        nodes = sorted({split_cell(c)[0] for c in touched})
        ids = [cell_id(n, ALL) for n in nodes]
        found = await aggregates.cells_by_id(self.db, await self.aggregates.current(), ids)
        counts = {d["node"]: d.get("actions", 0) for d in found.values()}
        self.broadcaster.publish(
            {
                "type": "coverage",
                "action_id": entry["action_id"],
                "version": entry["version"],
                "kind": entry["kind"],
                "plan_version": self.plan.version,
                "nodes": {n: counts.get(n, 0) for n in nodes},
                "scopes": sorted({split_cell(c)[1] for c in touched}),
                "at": self.clock().isoformat(),
            }
        )

    # -- catalogue events ------------------------------------------------------------------

    async def apply_organisation(self, envelope: Envelope[dict[str, Any]]) -> bool:
        organisation = organisation_event(envelope)
        org_id, org_type = organisation.organisation_id, organisation.type.value
        # Past figures recounted before this use the old type (counting/past.py).
        now = datetime.now(UTC)
        async with self.lock:
            await self._after_others_rebuild()
            if not await catalogue.set_org_type(
                self.db, org_id, org_type, envelope.aggregateversion, now
            ):
                return False  # held version is as new or newer
            self.org_types[org_id] = org_type
            # Actions counted before the organisation was known (or under its old type) move.
            moving = await actions.counted_under_other_type(self.db, org_id, org_type)
            for held in moving:
                changes = difference(
                    contribution(held["public"], org_type, self.plan, self.geo),
                    contribution(held["public"], held.get("org_type"), self.plan, self.geo),
                )

                async def write(
                    session: AsyncClientSession, held: Any = held, c: Cells = changes
                ) -> None:
                    await actions.set_fields(self.db, held["_id"], {"org_type": org_type}, session)
                    await self._write_cells(await aggregates.live_in(self.db, session), c, session)

                async with self.db.client.start_session() as session:
                    await session.with_transaction(write)
            return True

    async def apply_plan(self, envelope: Envelope[dict[str, Any]]) -> bool:
        """A newer plan version: recount every aggregate under it, then record it. Until the
        recount is complete and switched in, the old plan and its figures stay in force; a
        failed one is done again when the event is delivered again."""
        plan_event(envelope)
        async with self.lock, self.lease.held():
            held = await catalogue.plan_record(self.db)
            if held and held["version"] >= envelope.aggregateversion:
                if held["version"] > self.plan.version:
                    self.plan = PlanView.from_event(held["plan"])
                return False
            record = {"version": envelope.aggregateversion, "plan": envelope.data}
            await self._rebuild_under(PlanView.from_event(envelope.data), record)
        self.broadcaster.publish({"type": "resync", "plan_version": self.plan.version})
        return True

    # -- rebuild ---------------------------------------------------------------------------

    async def rebuild(self) -> int:
        async with self.lock, self.lease.held():
            await self._load_plan()  # another replica may have switched to a newer one
            return await self._rebuild_under(self.plan, None)

    async def _rebuild_under(self, plan: PlanView, record: dict[str, Any] | None) -> int:
        """Rebuilds into a new generation, then marks the switch (with the generation and the
        plan to record), points the readers at it, records the plan, clears the mark and drops
        the old generation. Holding the lease."""
        live = await self.aggregates.fresh()
        await store.drop_generations(
            self.db, live.number
        )  # left by a replica killed after its switch
        target = store.generation(live.number + 1)
        rebuilt = await rebuild(self.db, plan, self.org_types, self.geo, target)
        await self.lease.renew()  # LeaseLost: another replica took over; switch nothing
        await catalogue.mark_switch(
            self.db, self.lease.name, {"generation": target.number, "record": record}
        )
        await self._finish_switch(target, record)
        self.plan = plan
        await self.lease.release(plan_version=plan.version)
        # Where a slow rebuild spends its time, for whoever has to make it faster.
        log.info("aggregates rebuilt", extra=asdict(rebuilt))
        return rebuilt.cells

    async def _finish_switch(
        self, target: store.Generation | None, record: dict[str, Any] | None
    ) -> None:
        """Each step can be done again: a switch cut short anywhere is finished by this at the
        next start (a rebuild cut short before its mark is dropped by the next rebuild)."""
        if target is not None:
            await store.point_to(self.db, target)
            self.aggregates.switched(target)
        if record is not None:  # only after the switch: the plan and its figures go together
            await catalogue.record_plan(self.db, record)
        await catalogue.mark_switch(self.db, self.lease.name, None)
        if target is not None:
            # Readers elsewhere may still hold the old generation for their cache's age; a read
            # under way then finds it gone and reads nothing, so it is dropped after a grace.
            self._drop_later(target.number)

    def _drop_later(self, live: int) -> None:
        async def drop() -> None:
            await asyncio.sleep(self.drop_grace)
            with contextlib.suppress(PyMongoError):  # else the next start or rebuild drops it
                await store.drop_generations(self.db, live)

        task = asyncio.create_task(drop())
        self._dropping.add(task)
        task.add_done_callback(self._dropping.discard)


def total_cell(scope: str = ALL) -> str:
    return cell_id(WHOLE_PLAN, scope)
