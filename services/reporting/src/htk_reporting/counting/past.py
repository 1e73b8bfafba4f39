"""The figures as they stood at the end of a past day (``/coverage/at``), recounted from the log.

A recount reads the whole event log: about 10 s of CPU at 100,000 actions. The route is public,
so one anonymous request must not cost that every time, nor hold the event loop:

- **Bounded dates**: from the plan's start (``HTK_REPORTING_PLAN_START``) to today; anything
  else is a 422 naming ``date``.
- **Cached per (date, plan version)** in the database, so every replica shares the result. A
  past day stays as it was unless an event is backdated into it (a late, older version) or an
  organisation changes type (the recount uses today's types). Log entries and organisations carry
  the time they were applied (``applied_at``); a cached result is used only when nothing with a
  time up to its day was applied since it was computed (an index range over the recent entries,
  not a count of the log, which took 2 s at 120,000 entries on SecantusDB). ``CLOCK_MARGIN``
  covers clocks of replicas that disagree and transactions that commit after they stamped; the
  entries within the margin that the recount did count are remembered, so they do not make it
  count again.
- **Off the event loop, and not holding the database**: the log up to the day is read a
  fortnight per query (store/log.py, log_until), as raw BSON decoded in a thread, and counted in a
  thread.
- **One recount at a time per replica**: requests for the same day wait for the one running;
  at most ``WAITING`` others queue, the rest get a 429 with Retry-After. The gateway also limits
  each client's requests to this route.
"""

import asyncio
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bson import decode_all
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting.counting.recount import recount
from htk_reporting.model.contribution import Cells, split_cell
from htk_reporting.model.geography import Geography
from htk_reporting.model.plan import PlanView
from htk_reporting.store import catalogue
from htk_reporting.store import log as action_log
from htk_reporting.store import past as past_store
from htk_reporting.views.figures import coverage_table, docs_from_cells
from htk_runtime.errors import DomainError

CLOCK_MARGIN = timedelta(seconds=60)
WAITING = 4  # recounts that may queue behind the running one, per replica
RETRY_AFTER_SECONDS = 15
KEEP = timedelta(days=30)  # a cached day nobody asked for in this long is dropped (TTL index)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def check_date(day: date, plan_start: date, now: datetime) -> datetime:
    """The end of ``day``, or a 422 naming ``date`` when it lies outside [plan start, today]."""
    today = now.astimezone(UTC).date()
    if not plan_start <= day <= today:
        raise DomainError(
            422,
            f"date must be between {plan_start.isoformat()} and {today.isoformat()}",
            field="date",
        )
    return end_of(day)


@dataclass
class PastFigures:
    """The cache and the per-replica queue of recounts (one per service process)."""

    db: AsyncDatabase[dict[str, Any]]
    running: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: dict[str, asyncio.Task[str]] = field(default_factory=dict)
    recounts: int = 0  # recounts done by this process (tests and metrics read it)

    async def rows(
        self, day: date, scope: str, plan: PlanView, org_types: dict[str, str], geo: Geography,
    ) -> list[dict[str, Any]]:  # fmt: skip
        end = end_of(day)
        key = f"{day.isoformat()}|{plan.version}"
        generation = await self._valid_generation(key, end)
        if generation is None:
            task = self.pending.get(key)
            if task is None:
                if len(self.pending) > WAITING:
                    raise DomainError(
                        429,
                        "Too many figures for past dates are being computed; try again soon",
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    )
                task = asyncio.create_task(self._compute(key, end, plan, org_types, geo))
                self.pending[key] = task
                task.add_done_callback(lambda _: self.pending.pop(key, None))
            # Shielded: a caller that gives up does not cancel the others' recount.
            generation = await asyncio.shield(task)
        rows = await past_store.rows(self.db, generation, scope)
        if rows is not None:
            return rows
        # No action counted in this scope that day: every figure is zero.
        return coverage_table(plan, {}, scope, end)

    async def _valid_generation(self, key: str, end: datetime) -> str | None:
        head = await past_store.head(self.db, key)
        if head is None:
            return None
        checked_at = datetime.now(UTC)
        since = head["checked_at"] - CLOCK_MARGIN
        counted = head.get("counted_recent", [])
        if await action_log.public_applied_since(self.db, since, counted, time_until=end):
            return None
        if await catalogue.org_changed_since(self.db, since):
            return None
        # Nothing backdated since: the next check need only look at what comes after this one.
        await past_store.checked(self.db, key, head["generation"], checked_at, checked_at + KEEP)
        return str(head["generation"])

    async def _compute(
        self, key: str, end: datetime, plan: PlanView, org_types: dict[str, str], geo: Geography,
    ) -> str:  # fmt: skip
        async with self.running:
            # Stamped before the log is read: whatever is applied later is checked against it.
            started = datetime.now(UTC)
            recent: list[str] = []
            by_scope = await recount_rows(
                self.db, end, plan, dict(org_types), geo, recent, started - CLOCK_MARGIN
            )
            self.recounts += 1
            generation = uuid.uuid4().hex
            expires = started + KEEP
            docs = [
                {"_id": f"{generation}|{scope}", "generation": generation, "rows": rows,
                 "expires_at": expires}
                for scope, rows in by_scope.items()
            ]  # fmt: skip
            head = {
                "generation": generation,
                "checked_at": started,
                "counted_recent": recent,
                "expires_at": expires,
            }
            await past_store.replace(self.db, key, head, docs)
            return generation


async def recount_rows(
    db: AsyncDatabase[dict[str, Any]],
    end: datetime,
    plan: PlanView,
    org_types: dict[str, str],
    geo: Geography,
    recent: list[str],
    recent_from: datetime,
) -> dict[str, list[dict[str, Any]]]:
    """The coverage table of every scope with actions at ``end``, counted off the event loop;
    ``recent`` gets the ids of the counted entries applied after ``recent_from``."""
    entries: list[dict[str, Any]] = []
    async for chunk in action_log.log_until(db, end):
        entries.extend(await asyncio.to_thread(_public, chunk, db.codec_options))

    def count() -> dict[str, list[dict[str, Any]]]:
        cells, _ = recount(entries, plan, org_types, geo, until=end, with_series=False)
        recent.extend(e["_id"] for e in entries if (e.get("applied_at") or end) > recent_from)
        return _tables(cells, plan, end)

    return await asyncio.to_thread(count)


def _public(chunk: bytes, codec_options: Any) -> list[dict[str, Any]]:
    return [e for e in decode_all(chunk, codec_options) if e["public_kind"]]


def _tables(cells: Cells, plan: PlanView, end: datetime) -> dict[str, list[dict[str, Any]]]:
    by_scope: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for cid, doc in docs_from_cells(cells).items():
        by_scope[split_cell(cid)[1]][cid] = doc
    return {scope: coverage_table(plan, docs, scope, end) for scope, docs in by_scope.items()}
