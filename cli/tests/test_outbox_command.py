"""An event the broker keeps refusing is parked (with an alert) instead of holding up the ones
after it, and ``htk outbox list|show|resend`` finds it and sends it again; on the embedded
broker."""

import asyncio
import json
import logging
import uuid
from typing import Any

import pytest
from faststream.kafka import KafkaBroker

from htk_cli.main import main
from htk_contracts.envelope import new_envelope
from htk_runtime.consumer import subscribe
from htk_runtime.metrics import metrics_of
from htk_runtime.mongo import make_mongo_client
from htk_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_indexes
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import eventually


def _event(subject: str, payload: str = "") -> Any:
    return new_envelope(
        source="/test",
        type="fi.htk.test.happened.v1",
        subject=subject,
        aggregateversion=1,
        data={"payload": payload},
    )


async def test_an_unpublishable_event_is_parked_and_can_be_sent_again(
    service_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = ServiceSettings(service_name="outbox-park-test")
    database = service_env["HTK_MONGO_DATABASE"]
    topic = f"test.park.{uuid.uuid4().hex[:8]}"
    mongo = make_mongo_client(settings)
    db = mongo[database]
    await ensure_outbox_indexes(db)
    outbox = Outbox(db)
    received: list[str] = []

    async def handle(envelope: Any) -> None:
        received.append(envelope.subject)

    broker = KafkaBroker(settings.kafka_bootstrap_servers, acks="all")
    subscribe(broker, settings, topic, handle)
    await broker.start()
    # Larger than the producer takes (1 MB): refused on every try, never by an outage.
    too_large = _event("big", "x" * 1_200_000)
    async with mongo.start_session() as session:
        async with await session.start_transaction():
            await outbox.add(session, topic=topic, envelope=too_large)
            for i in range(3):
                await outbox.add(session, topic=topic, envelope=_event(f"after-{i}"))
    connected, stopping = asyncio.Event(), asyncio.Event()
    connected.set()
    relay = OutboxRelay(db, outbox, broker, poll_interval=0.05, max_attempts=3)
    metrics = metrics_of(broker, "outbox")
    task = asyncio.create_task(relay.run(stopping, connected))
    try:
        # The events written after it are not held up.
        await eventually(lambda: _true(len(received) >= 3), timeout=30)
        assert sorted(received) == ["after-0", "after-1", "after-2"]

        async def parked() -> bool:
            doc = await outbox.get(too_large.id)
            return doc is not None and doc.get("parked_at") is not None

        with caplog.at_level(logging.ERROR, logger="htk_runtime.outbox"):
            await eventually(parked, timeout=30)
        doc = await outbox.get(too_large.id)
        assert doc is not None and doc["attempts"] == 3 and doc["sent_at"] is None
        assert "MessageSizeTooLarge" in doc["last_error"]
        assert any("parked" in r.getMessage() for r in caplog.records), "an alert in the log"
        assert metrics.outbox_parked.labels(metrics.service, topic)._value.get() == 1
        assert await outbox.backlog() == 0, "a parked event is not backlog"

        # The operator's view.
        assert (
            await htk(["outbox", "list", "--service", "submissions", "--database", database]) == 0
        )
        listed = capsys.readouterr().out
        assert "0 waiting, 1 parked" in listed and too_large.id in listed
        assert "xxxx" not in listed, "the list shows no event data"
        assert await htk(["outbox", "show", too_large.id, "--database", database]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["event"]["id"] == too_large.id and shown["attempts"] == 3
        assert await htk(["outbox", "resend", "nope", "--database", database]) == 1
        capsys.readouterr()

        # The cause is fixed (here: the event made small enough), then it is sent again.
        await db["outbox"].update_one(
            {"event_id": too_large.id}, {"$set": {"event.data.payload": "fixed"}}
        )
        assert await htk(["outbox", "resend", too_large.id, "--database", database]) == 0
        assert "back in line" in capsys.readouterr().out
        await eventually(lambda: _true("big" in received), timeout=30)
        doc = await outbox.get(too_large.id)
        assert doc is not None and doc["sent_at"] is not None and doc["parked_at"] is None
        assert await htk(["outbox", "resend", too_large.id, "--database", database]) == 1
    finally:
        stopping.set()
        await task
        await broker.stop()
        await mongo.close()


async def htk(argv: list[str]) -> int:
    """The command as an operator runs it (its own event loop, so in a thread here)."""
    return await asyncio.to_thread(main, argv)


async def _true(value: bool) -> bool:
    return value
