"""The database stopped and started again while members create, submit and publish actions
through the gateway. Requests during the outage get a 503 that says to try again (never a 500),
every request that was accepted is there afterwards, and the projections reconcile.

A request whose commit reached the database just before it stopped may still be answered 503:
the action then exists although the member was told to try again, which the reconciliation
accepts (it compares the projections with what the database holds, not with the answers).
"""

from pymongo import MongoClient

from tests.faults.reconcile import assert_reconciled
from tests.faults.workflow import Load
from tests.stack import RunningPlatform, poll


def test_database_restart_under_load_loses_nothing_accepted(platform: RunningPlatform) -> None:
    p = platform
    with Load(p).running() as load:
        poll(lambda: len(load.accepted) >= 3, timeout=60)
        p.platform.stop_database()
        unavailable = load.statuses[503]
        poll(lambda: load.statuses[503] >= unavailable + 2, timeout=60)
        p.platform.start_database()
        published = load.published()
        poll(lambda: load.published() >= published + 3, timeout=90)
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
