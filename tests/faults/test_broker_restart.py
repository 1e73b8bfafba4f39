"""The broker killed and started again while members submit and publish through the gateway:
members keep working, and once the broker is back every action is counted and indexed once.

What cannot be reproduced here: tansu keeps its log in memory only, so the restarted broker has
no topics, no events and no committed offsets, where a real Kafka cluster keeps all three on disk
and on replicas (a broker restart there is a leader election and consumers resume at their
committed offsets). Neither can replication, in-sync replicas or an unclean leader election be
shown with one broker. What this test covers is what members and coordinators depend on: the
outbox holds what the broker did not acknowledge and re-sends it; what the lost broker had
acknowledged but a consumer had not yet read is sent again when the relay sees the broker's
offsets start over; consumers rejoin the new broker on their own and ignore what they hold.
"""

import httpx

from tests.faults.reconcile import assert_reconciled
from tests.faults.workflow import Load
from tests.stack import SERVICES, RunningPlatform, poll


def test_broker_restart_while_submitting_loses_and_repeats_nothing(
    platform: RunningPlatform,
) -> None:
    p = platform
    with Load(p).running() as load:
        poll(lambda: load.published() >= 3, timeout=60)
        p.platform.stop_broker()
        poll(lambda: _broker_seen_as(p, "unavailable"), timeout=30)
        published = load.published()
        poll(lambda: load.published() >= published + 5, timeout=60)
        p.platform.start_broker()
        poll(lambda: _broker_seen_as(p, "ok"), timeout=60)
        published = load.published()
        poll(lambda: load.published() >= published + 3, timeout=60)
    assert not load.errors, load.errors[:5]
    assert set(load.statuses) <= {200, 201}, f"members could not work: {load.statuses}"
    assert_reconciled(p, timeout=90)


def _broker_seen_as(p: RunningPlatform, state: str) -> bool:
    """Whether every service's readiness reports the broker so."""
    for service in SERVICES:
        try:
            ready = httpx.get(f"{p.url(service)}/health/ready", timeout=5)
        except httpx.HTTPError:
            return False
        if ready.json()["checks"].get("broker") != state:
            return False
    return True
