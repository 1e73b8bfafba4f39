"""Organisations acting and municipalities reached over time: distinct counts per week and month
that go down again when the last action of an organisation or in a municipality is withdrawn, and
come out the same whatever order the events arrive in."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from htk_reporting import store
from htk_reporting.counting.verify import verify
from htk_reporting.model.geography import load_geography
from htk_reporting.views.figures import series
from htk_testing.reporting import scratch_projection
from htk_testing.reporting_events import action_event
from htk_testing.runtime import EmbeddedStack

GEO = load_geography(Path("data"))
MONDAY = datetime(2025, 3, 3, 12, tzinfo=UTC)  # ISO week 2025-W10
NOW = MONDAY + timedelta(weeks=4)


def history() -> list[Any]:
    week = timedelta(weeks=1)
    return [
        action_event(
            "published", "s1", 1, ["1.1.1"], at=MONDAY,
            organisation_id="o1", municipalities=["091"],
        ),
        action_event(
            "published", "s2", 1, ["1.1.2"], at=MONDAY + week,
            organisation_id="o1", partners=["o2"], municipalities=["049"],
        ),
        # s1 moves from Helsinki to Espoo: Helsinki is no longer reached.
        action_event(
            "updated", "s1", 2, ["1.1.1"], at=MONDAY + 2 * week,
            organisation_id="o1", municipalities=["049"],
        ),
        action_event("withdrawn", "s2", 2, at=MONDAY + 3 * week, organisation_id="o1"),
    ]  # fmt: skip


async def weekly_rows(uri: str, events: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    async with scratch_projection(uri, GEO, "series") as (db, projection):
        for e in events:
            await projection.apply(e)
        cid = "1.1|all"
        live = await store.read_generation(db)
        doc = await db[live.cells].find_one({"_id": cid})
        keys = await db[live.series].find({"cell": cid, "kind": "weeks"}).to_list()
        return series(doc, keys, "weeks", NOW), (await verify(db, GEO)).differences


def counts(rows: list[dict[str, Any]]) -> list[tuple[str, int, int | None, int]]:
    return [(r["period"], r["actions"], r["organisations"], r["municipalities"]) for r in rows]


async def test_distinct_counts_over_time_follow_updates_and_withdrawals(
    embedded_stack: EmbeddedStack,
) -> None:
    rows, differences = await weekly_rows(embedded_stack.mongo_uri, history())
    assert counts(rows) == [
        ("2025-W10", 1, 1, 1),  # s1 by o1 in Helsinki
        ("2025-W11", 2, 2, 2),  # s2 by o1 with partner o2 in Espoo
        ("2025-W12", 2, 2, 1),  # s1 moved to Espoo
        ("2025-W13", 1, 1, 1),  # s2 withdrawn: o2 acts no more
        ("2025-W14", 1, 1, 1),
    ]
    assert differences == []


async def test_late_and_duplicated_events_give_the_same_series(
    embedded_stack: EmbeddedStack,
) -> None:
    events = history()
    in_order, _ = await weekly_rows(embedded_stack.mongo_uri, events)
    shuffled = [events[3], events[2], events[0], events[3], events[1], events[2]]
    rows, differences = await weekly_rows(embedded_stack.mongo_uri, shuffled)
    assert counts(rows) == counts(in_order)
    assert differences == []
