"""A rebuild that fails or is killed halfway leaves the figures whole and the old plan in force;
the plan event delivered again finishes the change; replicas wait for the one rebuilding."""

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from htk_reporting import store
from htk_reporting.counting.projection import Projection
from htk_reporting.counting.verify import verify
from htk_reporting.model.geography import load_geography
from htk_reporting.settings import ReportingSettings
from htk_reporting.store import aggregates as aggregate_store
from htk_runtime.mongo import make_mongo_client
from htk_testing.reporting_events import action_event, example_plan, plan_event
from htk_testing.runtime import eventually

NODES = [n["code"] for n in example_plan(1).data["nodes"]]
# Version 2 merges 1.1.1 into 3.1.2: its actions move.
V2 = [{"code": c} for c in NODES if c != "1.1.1"] + [
    {"code": "1.1.1", "state": "merged", "merged_into": "3.1.2"}
]


async def start(db: Any) -> Projection:
    p = Projection(db, load_geography(ReportingSettings().reporting_data_dir))
    await p.load()
    return p


async def figures(db: Any) -> dict[str, int]:
    cells = (await store.read_generation(db)).cells
    return {d["_id"]: d.get("actions", 0) async for d in db[cells].find({"scope": "all"})}


async def generations(db: Any) -> set[str]:
    """The cells and series collections in the database, of whichever generation."""
    names = await db.list_collection_names()
    return {n for n in names if n.split("_g")[0] in (store.CELLS, store.SERIES)}


@pytest.fixture
async def db(service_env: dict[str, str]) -> Any:
    client = make_mongo_client(ReportingSettings())
    yield client[ReportingSettings().mongo_database]
    await client.close()


async def test_a_failed_rebuild_keeps_the_figures_and_is_done_again(db: Any, monkeypatch) -> None:
    p = await start(db)
    await p.apply_plan(example_plan(1))
    await p.apply(action_event("published", "a1", 1, ["1.1.1"], municipalities=["091"]))
    await p.apply(action_event("published", "a2", 1, ["2.1.1"]))
    before = await figures(db)
    assert before["1.1.1|all"] == 1

    real_insert = aggregate_store.insert
    calls = 0

    async def failing_insert(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # halfway through writing the new aggregates
            raise ConnectionError("the database went away")
        await real_insert(*args)

    monkeypatch.setattr(aggregate_store, "insert", failing_insert)
    with pytest.raises(ConnectionError):
        await p.apply_plan(plan_event(2, V2))
    assert calls == 2
    # The old plan is still in force, in memory and stored, and its figures are whole.
    assert p.plan.version == 1
    assert (await db[store.PLAN].find_one({"_id": "current"}))["version"] == 1
    assert await figures(db) == before
    assert (await verify(db, p.geo)).differences == []
    assert (await p.lease.document())["owner"] is None  # released for the next try

    # The broker delivers the plan event again: this time the change goes through.
    monkeypatch.setattr(aggregate_store, "insert", real_insert)
    assert await p.apply_plan(plan_event(2, V2))
    after = await figures(db)
    assert "1.1.1|all" not in after and after["3.1.2|all"] == 1
    assert (await db[store.PLAN].find_one({"_id": "current"}))["version"] == 2
    assert (await verify(db, p.geo)).differences == []


@pytest.mark.parametrize("pointed", [False, True], ids=["before-pointing", "after-pointing"])
async def test_a_switch_cut_short_is_finished_when_the_service_starts(
    db: Any, monkeypatch, pointed: bool
) -> None:
    p = await start(db)
    p.drop_grace = 0
    await p.apply_plan(example_plan(1))
    await p.apply(action_event("published", "a1", 1, ["1.1.1"], municipalities=["091"]))
    await asyncio.gather(*p._dropping)
    old = await store.read_generation(db)
    real_point_to = store.point_to

    async def killed_at_the_pointer(d: Any, g: store.Generation) -> None:
        if pointed:
            await real_point_to(d, g)
        raise SystemExit("killed")

    monkeypatch.setattr(store, "point_to", killed_at_the_pointer)
    with pytest.raises(SystemExit):
        await p.apply_plan(plan_event(2, V2))
    monkeypatch.undo()
    # The new generation is complete and marked; the plan of version 2 is not recorded yet (and
    # the readers still see version 1's figures, or already version 2's: never a mix).
    assert (await db[store.PLAN].find_one({"_id": "current"}))["version"] == 1
    assert (await store.read_generation(db)).number == old.number + pointed
    await db[store.LEASES].update_one({}, {"$set": {"expires": datetime.now(UTC)}})
    restarted = Projection(db, p.geo)
    restarted.drop_grace = 0
    await restarted.load()
    await asyncio.gather(*restarted._dropping)
    assert restarted.plan.version == 2
    assert (await store.read_generation(db)).number == old.number + 1
    assert (await verify(db, restarted.geo)).differences == []
    assert "1.1.1|all" not in await figures(db)
    # The old generation was dropped after the switch was finished.
    assert await generations(db) == {f"{store.CELLS}_g{old.number + 1}",
                                     f"{store.SERIES}_g{old.number + 1}"}  # fmt: skip
    assert (await p.lease.document())["switching"] is None


async def test_replicas_wait_for_the_one_rebuilding_and_take_up_its_plan(db: Any) -> None:
    a, b = await start(db), await start(db)
    await a.apply_plan(example_plan(1))
    await b.load()
    assert await a.lease.try_acquire()
    waiting = asyncio.create_task(b.apply(action_event("published", "a1", 1, ["1.1.1"])))
    await asyncio.sleep(0.6)
    assert not waiting.done(), "replica b applied an event while a held the rebuild lease"
    await a.lease.release()
    assert await asyncio.wait_for(waiting, 10)

    # a changes the plan (the plan topic reaches a only); b counts under it afterwards.
    await a.apply_plan(plan_event(2, V2))
    await b.apply(action_event("published", "a2", 1, ["1.1.1"]))
    assert b.plan.version == 2
    assert (await figures(db))["3.1.2|all"] == 2
    assert (await verify(db, a.geo)).differences == []


def log_entries(n: int) -> list[dict[str, Any]]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    measures = [c for c in NODES if c.count(".") == 2]
    out = []
    for i in range(n):
        m = measures[i % len(measures)]
        codes = sorted({m, m.rsplit(".", 1)[0], m.split(".")[0]})
        at = start + timedelta(minutes=i)
        facts = {
            "organisation_id": f"org-{i % 300}", "partners": [], "codes": codes,
            "national": False, "counties": [], "municipalities": ["091"],
            "target_groups": [], "dimensions": [], "confirmed_at": at, "title": f"T {i}",
        }  # fmt: skip
        out.append(
            {"_id": f"b{i}:1", "action_id": f"b{i}", "version": 1, "kind": "published",
             "public_kind": True, "time": at, "organisation_id": facts["organisation_id"],
             "facts": facts}
        )  # fmt: skip
    return out


async def test_a_rebuild_killed_with_sigkill_leaves_the_figures_whole(db: Any) -> None:
    p = await start(db)
    await p.apply_plan(example_plan(1))
    await db[store.LOG].insert_many(log_entries(10_000))
    await p.rebuild()
    before = await figures(db)
    assert before["*|all"] == 10_000
    live = await store.read_generation(db)
    killed = store.generation(live.number + 1)

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "htk_cli.main", "reporting", "rebuild", env=dict(os.environ),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip

    async def writing_next() -> bool:
        return await db[killed.cells].estimated_document_count() > 0

    await eventually(writing_next, timeout=120, interval=0.02)
    os.kill(proc.pid, signal.SIGKILL)
    await proc.wait()
    assert await figures(db) == before
    # Every aggregate matches the log (the entries were written to the log only, so the
    # actions' held versions are left out).
    report = await verify(db, p.geo)
    assert [d for d in report.differences if not d.startswith("action ")] == []
    # The killed rebuild's lease runs out (let its time pass); the next rebuild takes it.
    await db[store.LEASES].update_one({}, {"$set": {"expires": datetime.now(UTC)}})
    p.drop_grace = 0
    await p.rebuild()
    assert await figures(db) == before
    await asyncio.gather(*p._dropping)
    # The next rebuild wrote over what the killed one left; the old generation is dropped.
    assert await store.read_generation(db) == killed
    assert await generations(db) == {killed.cells, killed.series}
