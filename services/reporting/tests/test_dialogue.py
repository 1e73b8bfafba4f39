"""Where dialogue is active: threads and messages of community.discussion.v1 per sub-goal,
county and month, for coordinators; the same figures again from the events replayed in another
order into a fresh database."""

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from htk_contracts import community as contract
from htk_contracts.envelope import Envelope
from htk_reporting.counting import dialogue
from htk_reporting.main import create_service
from htk_reporting.model.geography import load_geography
from htk_testing.reporting import scratch_projection
from htk_testing.reporting_events import action_event, example_plan
from htk_testing.runtime import received, running, user_headers

GEO = load_geography(Path("data"))
JAN = datetime(2026, 1, 10, 12, tzinfo=UTC)
# 23:30 UTC on the last of March is already April in Finland.
LATE_MARCH = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


def subject(kind: str, ref: str) -> contract.Subject:
    return contract.Subject(kind=contract.SubjectKind(kind), ref=ref)


def posted(message: str, thread: str, kind: str, ref: str, at: datetime) -> Envelope[Any]:
    data = contract.MessagePosted(
        message_id=message, thread_id=thread, subject=subject(kind, ref), author_id="m1",
        organisation_id="o1", body="Hei", members_only=False, at=at,
    )  # fmt: skip
    return received("/community", contract.MESSAGE_POSTED, message, 1, data)


def removed(message: str, thread: str, kind: str, ref: str, at: datetime) -> Envelope[Any]:
    data = contract.MessageRemoved(
        message_id=message, thread_id=thread, subject=subject(kind, ref),
        removal=contract.Removal.HIDDEN, by="c1", at=at,
    )  # fmt: skip
    return received("/community", contract.MESSAGE_REMOVED, message, 2, data)


def edited(message: str, thread: str, kind: str, ref: str, at: datetime) -> Envelope[Any]:
    data = contract.MessageEdited(
        message_id=message, thread_id=thread, subject=subject(kind, ref), body="Moi", at=at
    )
    return received("/community", contract.MESSAGE_EDITED, message, 2, data)


ACTIONS = [
    # Helsinki (county 90), measure 1.1.1; county 09 as a whole, measure 2.1.1.
    action_event("published", "a1", 1, ["1.1.1"], organisation_id="o1", municipalities=["091"]),
    action_event("published", "a2", 1, ["2.1.1"], organisation_id="o1", counties=["09"]),
]
DISCUSSION = [
    posted("m1", "m1", "action", "a1", JAN),
    posted("m2", "m1", "action", "a1", JAN.replace(month=2)),
    edited("m2", "m1", "action", "a1", JAN.replace(month=2)),
    posted("m3", "m3", "sub_goal", "1.1", JAN.replace(month=2)),
    posted("m4", "m4", "measure", "2.1.1", LATE_MARCH),
    posted("m5", "m5", "topic", "t1", LATE_MARCH),
    posted("m6", "m6", "action", "a2", JAN),
    removed("m6", "m6", "action", "a2", JAN.replace(month=2)),
    posted("m1", "m1", "action", "a1", JAN),  # delivered twice
]


def rows(figures: dict[str, Any], part: str) -> dict[str, tuple[int, int]]:
    return {r["key"]: (r["threads"], r["messages"]) for r in figures[part]}


async def test_dialogue_per_sub_goal_county_and_month(
    service_env: dict[str, str], token_keys: tuple[str, str], embedded_stack: Any
) -> None:
    service = create_service()
    async with running(service.app()) as client:
        projection = service.ctx().state["projection"]
        await projection.apply_plan(example_plan())
        for event in ACTIONS:
            await projection.apply(event)
        for event in DISCUSSION:
            await dialogue.apply(service.ctx().db, event)

        coordinator = user_headers(token_keys[0], member_id="c1", coordinator=True)
        answer = await client.get("/dialogue", headers=coordinator)
        assert answer.status_code == 200, answer.text
        live = answer.json()
        # m6 was hidden: its thread and county 09 are gone from the figures.
        assert live["total"] == {"key": "*", "threads": 4, "messages": 5}
        assert rows(live, "sub_goals") == {"1.1": (2, 3), "2.1": (1, 1)}
        assert rows(live, "counties") == {"90": (1, 2)}
        assert rows(live, "months") == {
            "2026-01": (1, 1),
            "2026-02": (2, 2),
            "2026-03": (0, 0),
            "2026-04": (2, 2),
        }
        member = user_headers(token_keys[0], member_id="m1")
        assert (await client.get("/dialogue", headers=member)).status_code == 403

    # Rebuilt from the event log, in another order, into a fresh database: the same figures.
    shuffled = list(DISCUSSION)
    random.Random(7).shuffle(shuffled)
    async with scratch_projection(embedded_stack.mongo_uri, GEO, "dialogue") as (db, fresh):
        for event in shuffled:
            await dialogue.apply(db, event)
        for event in ACTIONS:
            await fresh.apply(event)
        rebuilt = await dialogue.figures(db, fresh.plan)
    assert rebuilt.model_dump(mode="json") == live


async def test_the_live_stream_hears_of_posted_and_removed_messages_only(
    service_env: dict[str, str],
) -> None:
    """The dashboards re-read the dialogue figures on ``dialogue``; an edit changes no figure,
    and nothing of a message (author, text, subject) goes out on the public stream."""
    service = create_service()
    async with running(service.app()):
        broadcaster = service.ctx().state["projection"].broadcaster
        queue = broadcaster.listen()
        try:
            for event in DISCUSSION:
                await dialogue.apply(service.ctx().db, event, broadcaster)
            heard = [queue.get_nowait() for _ in range(queue.qsize())]
        finally:
            broadcaster.leave(queue)
    changes = sum(1 for e in DISCUSSION if e.type != contract.MESSAGE_EDITED)
    assert heard == [{"type": "dialogue"}] * changes
