"""Event consumption shared by every projection: envelope parsing, dead letters, retries.

A message that can never be processed (not JSON, not an envelope, data that fails its schema)
goes to ``<topic>.dlt`` with the error and the name of the service that refused it (several
services consume one topic, and only that one needs a fix and a replay), and the consumer carries
on. Any other failure (database
away, say) is retried: the offset is not committed, so the message comes again.

Each message is handled inside the trace its publisher started (FastStream's telemetry middleware
reads the context from the Kafka headers) and counted by topic and outcome; an applied event also
records its delay since the change that made it (``htk_event_delay_seconds``).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from htk_contracts.actions import ActionEvent
from htk_contracts.catalogue import (
    Member,
    MemberErased,
    MembershipStatus,
    Organisation,
    PlanVersion,
)
from htk_contracts.envelope import Envelope
from htk_contracts.topics import dead_letter_topic
from htk_runtime.broker import consumer_options
from htk_runtime.metrics import metrics_of
from htk_runtime.settings import ServiceSettings
from htk_runtime.telemetry import tracer

log = logging.getLogger(__name__)

Handler = Callable[[Envelope[dict[str, Any]]], Awaitable[None]]


class PoisonMessage(Exception):
    """Raised by a handler for an event it can never apply; the event goes to the dead letters."""


_ACTION_EVENT: TypeAdapter[Any] = TypeAdapter(ActionEvent)


def action_event(envelope: Envelope[dict[str, Any]]) -> Any:
    """The contract model of an action event, whatever its kind, even one the caller ignores:
    data that breaks the contract is a dead letter, never half applied or silently dropped."""
    event = _ACTION_EVENT.validate_python(envelope.data)
    action_id = event.action.action_id if hasattr(event, "action") else event.action_id
    if action_id != envelope.subject:
        raise PoisonMessage(f"action {action_id!r} under subject {envelope.subject!r}")
    return event


def organisation_event(envelope: Envelope[dict[str, Any]]) -> Organisation:
    organisation = Organisation.model_validate(envelope.data)
    if organisation.organisation_id != envelope.subject:
        raise PoisonMessage(
            f"organisation {organisation.organisation_id!r} under subject {envelope.subject!r}"
        )
    return organisation


def member_event(envelope: Envelope[dict[str, Any]]) -> dict[str, Any]:
    """The fields every service's read copy of a member keeps, from a ``catalogue.members.v1``
    event: an erased member keeps no name, address or roles."""
    kind = envelope.data.get("kind")
    if kind == "erased":
        MemberErased.model_validate(envelope.data)
        return {
            "erased": True,
            "name": None,
            "email": None,
            "organisations": {},
            "coordinator": False,
            "pending": [],
        }
    if kind != "member":
        raise PoisonMessage(f"unknown member event kind {kind!r}")
    member = Member.model_validate(envelope.data)
    return {
        "erased": False,
        "name": member.name,
        "email": member.email.strip().lower(),
        "language": member.language.value,
        "coordinator": member.coordinator,
        "organisations": member.approved_roles(),
        "pending": [
            m.organisation_id for m in member.memberships if m.status == MembershipStatus.PENDING
        ],
    }


def plan_event(envelope: Envelope[dict[str, Any]]) -> PlanVersion:
    plan = PlanVersion.model_validate(envelope.data)
    if plan.version != envelope.aggregateversion:
        raise PoisonMessage(
            f"plan version {plan.version} sent as aggregate version {envelope.aggregateversion}"
        )
    return plan


def consume(
    broker: KafkaBroker,
    settings: ServiceSettings,
    handlers: Mapping[str, Handler],
    *,
    retry_delay: float = 1.0,
) -> None:
    """One consumer for all of a service's topics.

    A single subscriber joins the consumer group once; one subscriber per topic in the same
    group would make each join rebalance the others (11 s instead of 3 s on tansu for three).
    """

    metrics = metrics_of(broker, settings.service_name)
    service = settings.service_name

    async def on_message(message: KafkaMessage) -> None:
        topic = str(getattr(message.raw_message, "topic", ""))
        handler = handlers[topic]
        consumed = metrics.events_consumed
        with tracer().start_as_current_span(
            f"{service} handle {topic}",
            attributes={"htk.service": service, "messaging.destination.name": topic},
        ) as span:
            try:
                envelope = Envelope[dict[str, Any]].model_validate_json(message.body)
            except ValidationError as exc:
                await _dead_letter(broker, service, topic, message, exc)
                consumed.labels(service, topic, "dead_letter").inc()
                return
            span.set_attributes(
                {"cloudevents.event_id": envelope.id, "cloudevents.event_type": envelope.type}
            )
            try:
                await handler(envelope)
            except (ValidationError, PoisonMessage) as exc:
                await _dead_letter(broker, service, topic, message, exc)
                consumed.labels(service, topic, "dead_letter").inc()
                return
            except Exception:
                consumed.labels(service, topic, "retry").inc()
                log.exception("event handling failed, will retry", extra={"topic": topic})
                await asyncio.sleep(retry_delay)
                raise
            consumed.labels(service, topic, "applied").inc()
            delay = (datetime.now(UTC) - envelope.time).total_seconds()
            metrics.event_delay.labels(service, topic).observe(max(delay, 0.0))

    broker.subscriber(*handlers, ack_policy=AckPolicy.NACK_ON_ERROR, **consumer_options(settings))(
        on_message
    )


async def consumer_lag(broker: KafkaBroker) -> dict[tuple[str, int], int]:
    """Messages not yet processed, per (topic, partition) assigned to this process's consumers.

    The committed offset is what the group has finished; before its first commit, the position.
    """
    lag: dict[tuple[str, int], int] = {}
    for subscriber in broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is None:
            continue
        partitions = list(consumer.assignment())
        if not partitions:
            continue
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            done = await consumer.committed(tp)
            if done is None:
                done = await asyncio.wait_for(consumer.position(tp), 2.0)
            lag[(tp.topic, tp.partition)] = max(ends[tp] - done, 0)
    return lag


def subscribe(
    broker: KafkaBroker,
    settings: ServiceSettings,
    topic: str,
    handler: Handler,
    *,
    retry_delay: float = 1.0,
) -> None:
    """A consumer of one topic; a service reading several uses :func:`consume` once."""
    consume(broker, settings, {topic: handler}, retry_delay=retry_delay)


async def _dead_letter(
    broker: KafkaBroker, service: str, topic: str, message: Any, exc: Exception
) -> None:
    raw = message.raw_message
    headers = {
        "htk-consumer": service,
        "htk-error": repr(exc)[:1000],
        "htk-original-topic": topic,
        "htk-original-partition": str(getattr(raw, "partition", "")),
        "htk-original-offset": str(getattr(raw, "offset", "")),
    }
    log.error(
        "poison message sent to dead letters",
        extra={"topic": topic, "consumer": service, "error": repr(exc)},
    )
    await broker.publish(message.body, dead_letter_topic(topic), key=raw.key, headers=headers)
