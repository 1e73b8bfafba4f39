"""A consumer killed mid-batch: reporting and search are SIGKILLed while they work through a burst
of published actions, then started again. Nothing they applied is applied twice, nothing they had
not committed is lost: every action is counted and indexed exactly once.

Reporting applies an event and its log entry in one transaction and commits the offset after, so
a kill between the two redelivers an event its log already holds; search records the version
after the index changed, so a redelivered event replaces a document with itself.

The restarted reporting waits for the killed one's open transaction: the database holds its locks
until it reaps it, 60 s after it began (mongod's ``transactionLifetimeLimitSeconds`` and
SecantusDB's default alike), so the reconciliation allows for that.
"""

import signal
from typing import Any

from pymongo import MongoClient

from tests.faults.reconcile import assert_reconciled
from tests.faults.workflow import Workflow
from tests.stack import RunningPlatform, poll

BURST = 60


def test_consumers_killed_mid_batch_count_and_index_every_action_once(
    platform: RunningPlatform,
) -> None:
    p = platform
    with Workflow(p) as work, MongoClient(p.mongo_uri) as mongo:
        waiting = [work.submitted() for _ in range(BURST)]
        ids = [s.json()["id"] for s in waiting]
        log = mongo["htk_reporting"]["action_log"]
        ledger = mongo["htk_search"]["applied_versions"]

        def counted() -> int:
            return log.count_documents({"action_id": {"$in": ids}, "kind": "published"})

        def indexed() -> int:
            return ledger.count_documents({"_id": {"$in": ids}})

        for submitted in waiting:
            work.publish(submitted)
        # Kill each consumer as soon as it has applied part of the burst.
        at_kill: dict[str, int] = {}
        for name, applied in (("search", indexed), ("reporting", counted)):
            at_kill[name] = poll(
                lambda applied=applied: applied() or None, timeout=60, interval=0.02
            )
            p.platform.kill_service(name, signal.SIGKILL)
        assert at_kill["reporting"] < BURST, f"reporting had finished the burst: {at_kill}"

        for name in ("search", "reporting"):
            p.platform.start_service(name)
        assert_reconciled(p, timeout=90)
        assert counted() == BURST and indexed() == BURST
        _assert_logged_once(mongo, ids)


def _assert_logged_once(mongo: MongoClient[dict[str, Any]], ids: list[str]) -> None:
    per_action = mongo["htk_reporting"]["action_log"].aggregate(
        [
            {"$match": {"action_id": {"$in": ids}}},
            {"$group": {"_id": "$action_id", "entries": {"$sum": 1}}},
        ]
    )
    # drafted, submitted, published: three versions, one entry each
    assert {d["_id"]: d["entries"] for d in per_action} == dict.fromkeys(ids, 3)
