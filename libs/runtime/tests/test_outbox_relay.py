"""The outbox on the real embedded stack: SecantusDB transactions and the tansu broker."""

import asyncio
import uuid
from typing import Any

import pytest
from faststream.kafka import KafkaBroker

from htk_contracts.envelope import Envelope, new_envelope
from htk_runtime.consumer import subscribe
from htk_runtime.mongo import make_mongo_client
from htk_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_indexes
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import eventually


@pytest.fixture
def settings(service_env: dict[str, str]) -> ServiceSettings:
    return ServiceSettings(service_name="outbox-test")


def _event(subject: str, version: int = 1) -> Envelope[Any]:
    return new_envelope(
        source="/test",
        type="fi.htk.test.happened.v1",
        subject=subject,
        aggregateversion=version,
        data={"n": version},
    )


async def test_events_written_in_a_transaction_reach_a_consumer_once(
    settings: ServiceSettings,
) -> None:
    topic = f"test.outbox.{uuid.uuid4().hex[:8]}"
    mongo = make_mongo_client(settings)
    db = mongo[settings.mongo_database]
    await ensure_outbox_indexes(db)
    outbox = Outbox(db)
    received: list[Envelope[dict[str, Any]]] = []

    async def handle(envelope: Envelope[dict[str, Any]]) -> None:
        received.append(envelope)

    broker = KafkaBroker(settings.kafka_bootstrap_servers, acks="all")
    subscribe(broker, settings, topic, handle)
    await broker.start()
    connected, stopping = asyncio.Event(), asyncio.Event()
    connected.set()
    relay = OutboxRelay(db, outbox, broker, poll_interval=0.1)
    task = asyncio.create_task(relay.run(stopping, connected))
    try:
        events = [_event(f"agg-{i}") for i in range(25)]
        async with mongo.start_session() as session:
            async with await session.start_transaction():
                for e in events:
                    await outbox.add(session, topic=topic, envelope=e)
        outbox.notify()
        await eventually(lambda: _true(len(received) >= 25), timeout=30)
        await asyncio.sleep(0.5)  # anything extra would have arrived by now
        assert sorted(r.id for r in received) == sorted(e.id for e in events)
        assert await outbox.backlog() == 0
    finally:
        stopping.set()
        await task
        await broker.stop()
        await mongo.close()


async def test_an_aborted_transaction_leaves_no_event(settings: ServiceSettings) -> None:
    mongo = make_mongo_client(settings)
    db = mongo[settings.mongo_database]
    outbox = Outbox(db)
    with pytest.raises(RuntimeError):
        async with mongo.start_session() as session:
            async with await session.start_transaction():
                await outbox.add(session, topic="t", envelope=_event("x"))
                raise RuntimeError("the state change failed")
    assert await outbox.backlog() == 0
    await mongo.close()


async def test_events_wait_while_the_broker_is_away(settings: ServiceSettings) -> None:
    """With no broker the relay sends nothing and loses nothing."""
    mongo = make_mongo_client(settings)
    db = mongo[settings.mongo_database]
    outbox = Outbox(db)
    async with mongo.start_session() as session:
        async with await session.start_transaction():
            await outbox.add(session, topic="t", envelope=_event("y"))
    broker = KafkaBroker("127.0.0.1:1", acks="all")  # nothing listens there
    relay = OutboxRelay(db, outbox, broker, poll_interval=0.05)
    connected, stopping = asyncio.Event(), asyncio.Event()  # never connected
    task = asyncio.create_task(relay.run(stopping, connected))
    await asyncio.sleep(0.5)
    assert await outbox.backlog() == 1
    stopping.set()
    await task
    await mongo.close()


async def _true(value: bool) -> bool:
    return value
