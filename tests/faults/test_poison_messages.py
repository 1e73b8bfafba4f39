"""A poison message on every topic every service consumes: not JSON, not an envelope, and
envelopes whose data breaks the contract. Each consumer sends each one to ``<topic>.dlt`` naming
itself, carries on with the good messages behind it, and nothing else changes.

The contract-breaking envelopes name real aggregates with a version far ahead of theirs: a
consumer that took one would hold it instead of what the catalogue and submissions say, and would
then ignore the real, lower versions that follow, so the reconciliation at the end would fail.
"""

import asyncio
import json
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from htk_cli.dlt import ALL_DLT_TOPICS, read_dead_letters
from htk_contracts.topics import Topic, dead_letter_topic
from tests.faults.kafka import consumers_by_topic, publish
from tests.faults.reconcile import assert_reconciled
from tests.faults.workflow import Workflow
from tests.stack import RunningPlatform, poll

AHEAD = 1_000_000


def envelope(marker: str, topic: str, n: int, subject: str, data: Any) -> bytes:
    kind = {
        Topic.SUBMISSIONS_ACTIONS: "action.published",
        Topic.CATALOGUE_PLAN: "plan.version_published",
        Topic.CATALOGUE_ORGANISATIONS: "organisation.changed",
        Topic.CATALOGUE_MEMBERS: "member.changed",
        Topic.COMMUNITY_DISCUSSION: "discussion_message.posted",
        Topic.COMMUNITY_NEWS: "news.published",
        Topic.COMMUNITY_EVENTS: "community_event.announced",
        Topic.COMMUNITY_PRACTICES: "practice.highlighted",
    }[Topic(topic)]
    return json.dumps(
        {
            "specversion": "1.0",
            "id": f"{marker}-{n}",
            "source": "/poison",
            "type": f"fi.htk.{kind}.v1",
            "time": datetime.now(UTC).isoformat(),
            "subject": subject,
            "aggregateversion": AHEAD,
            "data": data,
        }
    ).encode()


def contract_breakers(p: RunningPlatform, action_id: str) -> dict[str, list[tuple[str, Any]]]:
    """Per topic, (subject, data) that an envelope carries and the contract refuses."""
    org, member = p.ids["A"], p.people["member"].member_id
    return {
        Topic.SUBMISSIONS_ACTIONS: [
            (action_id, {"kind": "published", "action": {"action_id": action_id, "title": "x"}}),
            (action_id, {"kind": "drafted", "action_id": action_id}),
            (
                action_id,
                {
                    "kind": "withdrawn",
                    "action_id": "another",
                    "organisation_id": org,
                    "at": datetime.now(UTC).isoformat(),
                },
            ),
            (action_id, {"kind": "archived", "action_id": action_id}),
        ],
        Topic.CATALOGUE_PLAN: [
            ("plan", {"kind": "plan_version", "version": AHEAD, "nodes": []}),
        ],
        Topic.CATALOGUE_ORGANISATIONS: [
            (
                org,
                {
                    "kind": "organisation",
                    "organisation_id": org,
                    "name_fi": "Myrkky",
                    "type": "no-such-type",
                    "status": "approved",
                },
            ),
            (org, {"type": "ngo"}),
        ],
        Topic.CATALOGUE_MEMBERS: [
            (member, {"kind": "member", "member_id": member, "name": "Myrkky"}),
            (member, {"kind": "deleted", "member_id": member}),
        ],
        # The community's topics: a kind nobody knows, and a known kind without its fields.
        Topic.COMMUNITY_DISCUSSION: [
            ("m-poison", {"kind": "no-such-kind"}),
            ("m-poison", {"kind": "posted"}),
        ],
        Topic.COMMUNITY_NEWS: [("n-poison", {"kind": "no-such-kind"})],
        Topic.COMMUNITY_EVENTS: [("e-poison", {"kind": "no-such-kind"})],
        Topic.COMMUNITY_PRACTICES: [(action_id, {"kind": "highlighted"})],
    }


def test_poison_on_every_topic_is_dead_lettered_by_each_consumer(platform: RunningPlatform) -> None:
    p = platform
    consumers = consumers_by_topic()
    assert set(consumers) == {t.value for t in Topic}, consumers
    marker = f"poison-{uuid.uuid4().hex[:8]}"
    with Workflow(p) as work:
        target = work.published()
        assert_reconciled(p)

        records: list[tuple[str, bytes | None, bytes]] = []
        for topic, breakers in contract_breakers(p, target).items():
            records.append((topic, b"x", b"\xff\xfe not json " + marker.encode()))
            records.append((topic, b"x", json.dumps({"poison": marker}).encode()))
            records.append((topic, None, json.dumps([marker, "a list"]).encode()))
            for n, (subject, data) in enumerate(breakers):
                records.append((topic, subject.encode(), envelope(marker, topic, n, subject, data)))
        publish(p.kafka, records)

        # Good messages behind the poison on every topic, each a real change at its source.
        work.published()
        with p.client("catalogue", "admin") as admin:
            changed = admin.patch(
                f"/organisations/{p.ids['A']}", json={"website": f"https://{marker}.example.org"}
            )
            assert changed.status_code == 200, changed.text
        with p.client("catalogue", "member") as member:
            renamed = member.patch("/members/me", json={"name": f"Member {marker}"})
            assert renamed.status_code == 200, renamed.text
        with p.client("catalogue", "coordinator") as coordinator:
            described = coordinator.patch(
                "/plan/nodes/1.1.1", json={"description": f"Kuvaus {marker}"}
            )
            assert described.status_code == 200, described.text

    expected = Counter(
        (dead_letter_topic(topic), consumer, value)
        for topic, _, value in records
        for consumer in consumers[topic]
    )

    def dead_letters() -> Counter[tuple[str, str, bytes]]:
        letters = asyncio.run(read_dead_letters(p.kafka, ALL_DLT_TOPICS))
        return Counter((d.topic, d.headers.get("htk-consumer", "?"), d.value) for d in letters)

    seen: Counter[tuple[str, str, bytes]] = Counter()

    def all_dead() -> bool:
        nonlocal seen
        seen = dead_letters()
        return seen >= expected

    try:
        poll(all_dead, timeout=60, interval=0.5)
    except AssertionError:
        missing = sorted((expected - seen).elements())
        raise AssertionError(f"{len(missing)} not dead-lettered, e.g. {missing[:3]}") from None
    assert_reconciled(p)
    # Nothing else went to the dead letters: not a good message, not a poison twice.
    assert dead_letters() == expected
