"""With the broker away, actions are still accepted; when it is back, every event arrives once.

tansu keeps nothing in memory across a restart, so the events relayed before the outage are gone
from the restarted broker: that part of a real Kafka outage cannot be reproduced here. What this
test covers is the part that matters to members: nothing written during the outage is lost or
duplicated, because the outbox holds it until the broker acknowledges it.
"""

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from faststream.kafka import KafkaBroker

from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_runtime.consumer import subscribe
from htk_runtime.embedded import start_tansu
from htk_runtime.processes import free_port
from htk_runtime.settings import ServiceSettings
from htk_submissions.main import create_service
from htk_testing.runtime import eventually, running


async def test_submissions_survive_a_broker_outage(
    submissions_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    actors: Any,
    seed: Any,
    new_action: Any,
) -> None:
    port = free_port()
    bootstrap = f"127.0.0.1:{port}"
    monkeypatch.setenv("HTK_KAFKA_BOOTSTRAP_SERVERS", bootstrap)
    broker_process = start_tansu("127.0.0.1", port, tmp_path / "tansu-1.log")
    service = create_service()
    try:
        async with running(service.app()) as client:
            await seed(service)
            await eventually(lambda: _ready(client), timeout=30)

            broker_process.stop(5)
            await eventually(lambda: _not_ready(client), timeout=30)

            # Members keep working while the broker is away.
            ids = []
            for i in range(5):
                created = await client.post(
                    "/actions", json=new_action(title=f"Toimenpide {i}"), headers=actors.member
                )
                assert created.status_code == 201, created.text
                submitted = await client.post(
                    f"/actions/{created.json()['id']}/submit",
                    headers={**actors.member, "If-Match": created.headers["ETag"]},
                )
                assert submitted.status_code == 200
                ids.append(created.json()["id"])
            outbox = service.ctx().state["outbox"]
            assert await outbox.backlog() >= 10, "events wait in the outbox"

            broker_process = start_tansu("127.0.0.1", port, tmp_path / "tansu-2.log")
            await eventually(lambda: _drained(outbox), timeout=60)

            received = await _read_all(bootstrap, expected=10)
            mine = [e for e in received if e.subject in ids]
            assert sorted((e.subject, e.aggregateversion) for e in mine) == sorted(
                [(i, 1) for i in ids] + [(i, 2) for i in ids]
            ), "each drafted and submitted event exactly once"
            assert len({e.id for e in mine}) == len(mine) == 10
    finally:
        broker_process.stop(5)


async def _ready(client: Any) -> bool:
    return (await client.get("/health/ready")).status_code == 200


async def _not_ready(client: Any) -> bool:
    response = await client.get("/health/ready")
    return response.status_code == 503 and response.json()["checks"]["broker"] == "unavailable"


async def _drained(outbox: Any) -> bool:
    return await outbox.backlog() == 0


async def _read_all(bootstrap: str, expected: int) -> list[Envelope[dict[str, Any]]]:
    settings = ServiceSettings(
        kafka_bootstrap_servers=bootstrap, kafka_group_prefix=f"reader-{uuid.uuid4().hex[:6]}"
    )
    received: list[Envelope[dict[str, Any]]] = []

    async def collect(envelope: Envelope[dict[str, Any]]) -> None:
        received.append(envelope)

    reader = KafkaBroker(bootstrap)
    subscribe(reader, settings, Topic.SUBMISSIONS_ACTIONS, collect)
    await reader.start()
    try:

        async def enough() -> bool:
            return len(received) >= expected

        await eventually(enough, timeout=30)
        await asyncio.sleep(1.0)  # a duplicate would arrive right behind
    finally:
        await reader.stop()
    return received
