import uuid
from typing import Any

import pytest
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from htk_contracts.envelope import Envelope, new_envelope
from htk_contracts.topics import dead_letter_topic
from htk_runtime.consumer import PoisonMessage, subscribe
from htk_runtime.metrics import metrics_of
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import BrokerTier, eventually


async def test_a_poison_message_goes_to_the_dead_letters_and_the_consumer_carries_on(
    broker_tier: BrokerTier,
) -> None:
    settings = ServiceSettings(service_name="dlt-test")
    topic = f"test.poison.{uuid.uuid4().hex[:8]}"
    handled: list[str] = []
    dead: list[tuple[bytes, dict[str, Any]]] = []

    async def handle(envelope: Envelope[dict[str, Any]]) -> None:
        if envelope.data.get("bad"):
            raise PoisonMessage("this event can never be applied")
        handled.append(envelope.subject)

    broker = KafkaBroker(settings.kafka_bootstrap_servers, acks="all")
    subscribe(broker, settings, topic, handle)

    @broker.subscriber(
        dead_letter_topic(topic),
        group_id=f"dlt-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    async def on_dead(message: KafkaMessage) -> None:
        dead.append((message.body, dict(message.headers)))

    async with broker_tier.started(broker) as br:

        def event(subject: str, **data: Any) -> dict[str, Any]:
            return new_envelope(
                source="/t",
                type="fi.htk.test.happened.v1",
                subject=subject,
                aggregateversion=1,
                data=data,
            ).model_dump(mode="json")

        await br.publish(b"not json at all", topic, key=b"k0")
        await br.publish(event("k1", bad=True), topic, key=b"k1")
        await br.publish(event("k2"), topic, key=b"k2")

        async def done() -> bool:
            return bool(handled) and len(dead) >= 2

        await eventually(done, timeout=30)
        assert handled == ["k2"]
        assert len(dead) == 2
        assert {body for body, _ in dead} >= {b"not json at all"}
        assert all(headers["htk-original-topic"] == topic for _, headers in dead)
        assert any("can never be applied" in headers["htk-error"] for _, headers in dead)
        # what the dead-letter alert and the dashboard read
        metrics = metrics_of(broker, settings.service_name)
        consumed = metrics.events_consumed
        assert consumed.labels("dlt-test", topic, "dead_letter")._value.get() == 2
        assert consumed.labels("dlt-test", topic, "applied")._value.get() == 1
        published = metrics.events_published.labels("dlt-test", dead_letter_topic(topic))
        assert published._value.get() == 2


@pytest.mark.parametrize("version", [1, 2])
def test_dead_letter_topic_name(version: int) -> None:
    assert (
        dead_letter_topic(f"submissions.actions.v{version}")
        == f"submissions.actions.v{version}.dlt"
    )


async def test_a_failure_not_of_the_events_making_is_retried_not_dead_lettered(
    broker_tier: BrokerTier,
) -> None:
    settings = ServiceSettings(service_name="retry-test")
    topic = f"test.retry.{uuid.uuid4().hex[:8]}"
    calls: list[str] = []

    async def handle(envelope: Envelope[dict[str, Any]]) -> None:
        calls.append(envelope.subject)
        if len(calls) == 1:
            raise ConnectionError("database away")

    broker = KafkaBroker(settings.kafka_bootstrap_servers, acks="all")
    subscribe(broker, settings, topic, handle, retry_delay=0.1)
    message = new_envelope(
        source="/t", type="fi.htk.test.happened.v1", subject="k1", aggregateversion=1, data={}
    ).model_dump(mode="json")

    async with broker_tier.started(broker) as br:
        if broker_tier.name == "memory":
            # The in-memory broker hands the handler's error back to the publisher where tansu
            # leaves the offset uncommitted and delivers the message again: redeliver by hand.
            with pytest.raises(ConnectionError):
                await br.publish(message, topic, key=b"k1")
        await br.publish(message, topic, key=b"k1")

        async def applied() -> bool:
            return len(calls) >= 2

        await eventually(applied, timeout=30)

    assert calls == ["k1", "k1"]
    consumed = metrics_of(broker, settings.service_name).events_consumed
    assert consumed.labels("retry-test", topic, "retry")._value.get() == 1
    assert consumed.labels("retry-test", topic, "applied")._value.get() == 1
    assert consumed.labels("retry-test", topic, "dead_letter")._value.get() == 0
