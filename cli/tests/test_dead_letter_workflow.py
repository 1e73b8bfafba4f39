"""A poison message lands in the dead letters, is listed, and after a fix is re-driven."""

import uuid
from typing import Any

from faststream.kafka import KafkaBroker

from htk_cli.dlt import read_dead_letters, replay
from htk_contracts.envelope import Envelope, new_envelope
from htk_contracts.topics import dead_letter_topic
from htk_runtime.consumer import PoisonMessage, subscribe
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import eventually


async def test_list_and_replay_after_a_fix(service_env: dict[str, str]) -> None:
    settings = ServiceSettings(service_name="dlt-cli")
    bootstrap = settings.kafka_bootstrap_servers
    topic = f"test.replay.{uuid.uuid4().hex[:8]}"
    fixed = False
    applied: list[str] = []

    async def handle(envelope: Envelope[dict[str, Any]]) -> None:
        if not fixed:
            raise PoisonMessage("measure 9.9.9 is unknown")
        applied.append(envelope.subject)

    broker = KafkaBroker(bootstrap)
    subscribe(broker, settings, topic, handle)
    await broker.start()
    try:
        event = new_envelope(
            source="/t", type="fi.htk.test.happened.v1", subject="a-1", aggregateversion=1, data={}
        ).model_dump(mode="json")
        await broker.publish(event, topic, key=b"a-1")

        async def dead() -> list[Any]:
            return await read_dead_letters(bootstrap, [dead_letter_topic(topic)])

        letters = await eventually(dead, timeout=30)
        assert len(letters) == 1
        summary = letters[0].summary()
        assert summary["error"].startswith("PoisonMessage") and "9.9.9" in summary["error"]
        assert summary["from"].startswith(f"{topic}/0@0") and summary["key"] == "a-1"
        assert summary["consumer"] == "dlt-cli", "the service that refused it"

        fixed = True
        assert await replay(bootstrap, letters) == 1

        async def done() -> bool:
            return applied == ["a-1"]

        await eventually(done, timeout=30)
    finally:
        await broker.stop()
