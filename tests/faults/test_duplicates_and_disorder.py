"""Every event delivered again, twice, newest first and interleaved across topics: the
projections stay exactly as they were, because each consumer applies an event only if it is
newer than the aggregate version it holds (or, in reporting's event log, not yet logged).

The events are the platform's own, read from the submissions and catalogue outboxes, for actions
taken through drafting, submission, publication, an edit published again, a confirmation and a
withdrawal, and for the plan, organisations and members the catalogue holds. That a projection
built from events arriving out of order for the first time equals one built in order is shown
per service (reporting's replay property, search's tombstones); here the whole platform is shown
to ignore what it already holds, whatever order it comes in.
"""

import json
import random
from collections import Counter
from typing import Any

import httpx
from pymongo import MongoClient

from htk_contracts.topics import Topic
from htk_reporting import store
from tests.faults.kafka import consumers_by_topic, publish
from tests.faults.reconcile import assert_reconciled, search_index
from tests.faults.workflow import Workflow
from tests.stack import RunningPlatform, poll


def test_duplicated_and_reordered_events_change_no_projection(platform: RunningPlatform) -> None:
    p = platform
    with Workflow(p) as work:
        ids = [_through_every_step(work, withdraw=(i == 0)) for i in range(3)]
    assert_reconciled(p)
    before = _projections(p)

    with MongoClient(p.mongo_uri) as mongo:
        events = [
            (d["topic"], d["key"], d["event"])
            for db in ("htk_submissions", "htk_catalogue")
            for d in mongo[db]["outbox"].find({"sent_at": {"$ne": None}})
            if db == "htk_catalogue" or d["key"] in ids
        ]
    # The workflow asks no organisation to join an action as a partner; those events only reach
    # the gateway's notifier, which keys every notification by event id
    # (services/gateway/tests/test_notify.py redelivers them).
    # Nor does it write in the community (its replays are tested where they are consumed:
    # services/search/tests and services/reporting/tests/test_dialogue.py).
    workflow_topics = {t.value for t in Topic if not t.value.startswith("community.")}
    assert {t for t, _, _ in events} == workflow_topics - {Topic.SUBMISSIONS_PARTNERSHIPS}
    assert len([e for e in events if e[1] in ids]) >= 3 * 6
    newest_first = sorted(events, key=lambda e: -e[2]["aggregateversion"])
    shuffled = random.Random(11).sample(events, len(events))
    again = [(t, k.encode(), _bytes(e)) for t, k, e in newest_first + shuffled]

    consumers = consumers_by_topic()
    expected: Counter[tuple[str, str]] = Counter()
    for topic, _, _ in again:
        for service in consumers[topic]:
            expected[(service, topic)] += 1
    baseline = _consumed(p, expected)
    publish(p.kafka, again)

    def all_consumed() -> bool:
        now = _consumed(p, expected)
        return all(now[k] - baseline[k] >= n for k, n in expected.items())

    poll(all_consumed, timeout=60, interval=0.5)
    assert _projections(p) == before
    assert_reconciled(p)


def _through_every_step(work: Workflow, *, withdraw: bool) -> str:
    published = work.publish(work.submitted())
    action_id = published.json()["id"]
    content = published.json()["content"]
    edited = work.member.put(
        f"/actions/{action_id}",
        json={**content, "title": f"{content['title']} (päivitetty)"},
        headers={"If-Match": published.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.text
    republished = work.publish(work.step(work.member, edited, "submit"))
    confirmed = work.step(work.member, republished, "confirm")
    assert confirmed.status_code == 200, confirmed.text
    if withdraw:
        withdrawn = work.step(work.member, confirmed, "withdraw")
        assert withdrawn.status_code == 200, withdrawn.text
    return str(action_id)


def _bytes(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode()


def _consumed(p: RunningPlatform, wanted: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Events each service has taken from each topic, whatever became of them."""
    found: Counter[tuple[str, str]] = Counter()
    for service in {s for s, _ in wanted}:
        text = httpx.get(f"{p.url(service)}/metrics", timeout=10).text
        for line in text.splitlines():
            if not line.startswith("htk_events_consumed_total{"):
                continue
            labels = dict(
                part.split("=", 1)
                for part in line[line.index("{") + 1 : line.index("}")].split(",")
            )
            key = (labels["service"].strip('"'), labels["topic"].strip('"'))
            found[key] += int(float(line.rsplit(" ", 1)[1]))
    return found


def _projections(p: RunningPlatform) -> dict[str, Any]:
    with MongoClient(p.mongo_uri, tz_aware=True) as mongo:
        # The live generation's cells and series, under their names without a generation.
        pointer = mongo["htk_reporting"][store.AGGREGATES].find_one({"_id": "current"})
        live = store.generation_of(pointer)
        physical = {"cells": live.cells, "series": live.series}
        held = {
            f"{db}.{c}": sorted(
                mongo[db][physical.get(c, c) if db == "htk_reporting" else c].find({}),
                key=lambda d: str(d["_id"]),
            )
            for db, collections in {
                "htk_reporting": ("cells", "series", "actions", "action_log", "organisations"),
                "htk_search": ("actions", "applied_versions", "organisations", "plan"),
                "htk_gateway": ("follow_changes", "member_copies"),
                "htk_submissions": ("organisation_copies", "member_copies", "plan_copy"),
            }.items()
            for c in collections
        }
    held["search index"] = search_index(p)
    return held
