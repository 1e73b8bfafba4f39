"""Live aggregates after any order of publish, update, withdraw, duplicate and late events equal
a recount from the event log, and a rebuild from the log writes the same documents."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from htk_reporting import store
from htk_reporting.counting.verify import verify
from htk_reporting.model.contribution import normalised
from htk_reporting.model.geography import load_geography
from htk_testing.reporting import scratch_projection
from htk_testing.reporting_events import action_event, organisation_event
from htk_testing.runtime import EmbeddedStack

GEO = load_geography(Path("data"))
START = datetime(2025, 1, 6, tzinfo=UTC)
MEASURES = ["1.1.1", "1.1.2", "1.2.1", "2.1.1", "3.2.2", "9.9.9"]
MUNICIPALITIES = ["091", "049", "853", "005", "999"]

facts = st.fixed_dictionaries(
    {
        "measures": st.lists(st.sampled_from(MEASURES), min_size=1, max_size=3, unique=True),
        "organisation_id": st.sampled_from(["o1", "o2", "o3"]),
        "partners": st.lists(st.sampled_from(["o1", "o2", "o4"]), max_size=2, unique=True),
        "national": st.booleans(),
        "counties": st.lists(st.sampled_from(["01", "09", "90"]), max_size=2, unique=True),
        "municipalities": st.lists(st.sampled_from(MUNICIPALITIES), max_size=3, unique=True),
        "target_groups": st.lists(
            st.sampled_from(["children", "older_people"]), max_size=2, unique=True
        ),
        "dimensions": st.lists(st.sampled_from(["age", "regional"]), max_size=1),
        "confirmed_days": st.integers(min_value=0, max_value=500),
    }
)
step = st.tuples(
    st.sampled_from(["drafted", "submitted", "returned", "published", "updated", "withdrawn"]),
    facts,
)


def build(history: list[tuple[str, dict[str, Any]]], action_id: str) -> list[Any]:
    events = []
    for version, (kind, f) in enumerate(history, start=1):
        at = START + timedelta(days=9 * version)
        f = dict(f)
        confirmed = at - timedelta(days=f.pop("confirmed_days"))
        events.append(
            action_event(
                kind, action_id, version, f.pop("measures"), at=at, confirmed_at=confirmed, **f
            )
        )
    return events


@st.composite
def deliveries(draw: st.DrawFn) -> list[Any]:
    events: list[Any] = []
    for action_id in ("a", "b", "c"):
        events += build(draw(st.lists(step, min_size=1, max_size=5)), action_id)
    events += [organisation_event("o1", 1, "ngo"), organisation_event("o2", 1, "municipality")]
    events.append(organisation_event("o1", 2, "company"))
    order = draw(st.permutations(events))
    duplicates = draw(st.lists(st.sampled_from(events), max_size=4))
    out = list(order)
    for d in duplicates:
        out.insert(draw(st.integers(0, len(out))), d)
    return out


async def replay(uri: str, events: list[Any]) -> list[str]:
    async with scratch_projection(uri, GEO, "prop") as (db, projection):
        for e in events:
            if e.subject.startswith("o"):
                await projection.apply_organisation(e)
            else:
                await projection.apply(e)
        report = await verify(db, GEO)
        assert report.cells_checked > 0 or all(not e.data.get("action") for e in events)
        live = await aggregates(db)
        await projection.rebuild()
        assert await aggregates(db) == live, "a rebuild gave other aggregates than the events"
        return report.differences


async def aggregates(db: Any) -> dict[str, dict[str, int]]:
    live = await store.read_generation(db)
    docs = [
        (d["_id"], store.flatten(d))
        for collection in (live.cells, live.series)
        async for d in db[collection].find({})
    ]
    return normalised(docs)


# Each example runs against the database, so shrinking (hundreds of replays) is left out; a
# failure prints the events and the differences instead.
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(events=deliveries())
def test_live_aggregates_equal_a_recount(embedded_stack: EmbeddedStack, events: list[Any]) -> None:
    differences = asyncio.run(replay(embedded_stack.mongo_uri, events))
    delivered = [(e.subject, e.aggregateversion, e.data.get("kind")) for e in events]
    assert differences == [], f"delivered {delivered}"
