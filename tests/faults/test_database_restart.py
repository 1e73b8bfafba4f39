"""The database stopped and started again while members create, submit and publish actions
through the gateway. Requests during the outage get a 503 that says to try again (never a 500),
every request that was accepted is there afterwards, and the projections reconcile.

A request whose commit reached the database just before it stopped may still be answered 503:
the action then exists although the member was told to try again, which the reconciliation
accepts (it compares the projections with what the database holds, not with the answers).
"""

import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx
from pymongo import MongoClient

from tests.faults.reconcile import assert_reconciled
from tests.faults.workflow import Workflow
from tests.stack import RunningPlatform, poll


@dataclass
class Load:
    """Members at work until told to stop; every answer is kept."""

    p: RunningPlatform
    statuses: Counter[int] = field(default_factory=Counter)
    # action id -> the last step the platform accepted for it
    accepted: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with Workflow(self.p, public=True) as work:
            while not self.stop.is_set():
                try:
                    self._one(work)
                except httpx.HTTPError as exc:  # the gateway itself must always answer
                    self.errors.append(repr(exc))

    def _one(self, work: Workflow) -> None:
        drafted = self._note(work.draft())
        if drafted.status_code != 201:
            return
        action_id = drafted.json()["id"]
        self.accepted[action_id] = "draft"
        submitted = self._note(work.step(work.member, drafted, "submit"))
        if submitted.status_code != 200:
            return
        self.accepted[action_id] = "submitted"
        if self._note(work.step(work.coordinator, submitted, "publish")).status_code == 200:
            self.accepted[action_id] = "published"

    def _note(self, response: httpx.Response) -> httpx.Response:
        self.statuses[response.status_code] += 1
        if response.status_code >= 500 and response.status_code != 503:
            self.errors.append(f"{response.status_code} {response.text[:300]}")
        elif response.status_code == 503:
            body = response.json()
            if not body.get("message") or "Retry-After" not in response.headers:
                self.errors.append(f"503 without a message or Retry-After: {response.text}")
        return response


def test_database_restart_under_load_loses_nothing_accepted(platform: RunningPlatform) -> None:
    p = platform
    load = Load(p)
    worker = threading.Thread(target=load.run, daemon=True)
    worker.start()
    try:
        poll(lambda: len(load.accepted) >= 3, timeout=60)
        p.platform.stop_database()
        unavailable = load.statuses[503]
        poll(lambda: load.statuses[503] >= unavailable + 2, timeout=60)
        p.platform.start_database()
        published = sum(1 for s in load.accepted.values() if s == "published")
        poll(
            lambda: sum(1 for s in load.accepted.values() if s == "published") >= published + 3,
            timeout=90,
        )
    finally:
        load.stop.set()
        worker.join(60)
    assert not load.errors, load.errors[:5]
    assert set(load.statuses) <= {200, 201, 503}, load.statuses

    with MongoClient(p.mongo_uri) as mongo:
        held = {
            d["_id"]: d["status"]
            for d in mongo["htk_submissions"]["actions"].find(
                {"_id": {"$in": list(load.accepted)}}, {"status": 1}
            )
        }
    lost = {a: step for a, step in load.accepted.items() if a not in held}
    assert not lost, f"accepted, then lost: {lost}"
    # A step accepted is never undone (a later step may have gone through unanswered).
    order = ["draft", "submitted", "published"]
    behind = {
        a: (step, held[a])
        for a, step in load.accepted.items()
        if order.index(held[a]) < order.index(step)
    }
    assert not behind, behind
    assert_reconciled(p, timeout=90)
