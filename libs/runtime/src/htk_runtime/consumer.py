"""Event consumption shared by every projection: envelope parsing, dead letters, retries.

A message that can never be processed (not JSON, not an envelope, data that fails its schema)
goes to ``<topic>.dlt`` with the error, and the consumer carries on. Any other failure (database
away, say) is retried: the offset is not committed, so the message comes again.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from htk_contracts.envelope import Envelope
from htk_contracts.topics import dead_letter_topic
from pydantic import ValidationError

from htk_runtime.broker import consumer_options
from htk_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

Handler = Callable[[Envelope[dict[str, Any]]], Awaitable[None]]


class PoisonMessage(Exception):
    """Raised by a handler for an event it can never apply; the event goes to the dead letters."""


def subscribe(
    broker: KafkaBroker,
    settings: ServiceSettings,
    topic: str,
    handler: Handler,
    *,
    retry_delay: float = 1.0,
) -> None:
    async def consume(message: KafkaMessage) -> None:
        try:
            envelope = Envelope[dict[str, Any]].model_validate_json(message.body)
        except ValidationError as exc:
            await _dead_letter(broker, topic, message, exc)
            return
        try:
            await handler(envelope)
        except (ValidationError, PoisonMessage) as exc:
            await _dead_letter(broker, topic, message, exc)
        except Exception:
            log.exception("event handling failed, will retry", extra={"topic": topic})
            await asyncio.sleep(retry_delay)
            raise

    broker.subscriber(topic, ack_policy=AckPolicy.NACK_ON_ERROR, **consumer_options(settings))(
        consume
    )


async def _dead_letter(broker: KafkaBroker, topic: str, message: Any, exc: Exception) -> None:
    raw = message.raw_message
    headers = {
        "htk-error": repr(exc)[:1000],
        "htk-original-topic": topic,
        "htk-original-partition": str(getattr(raw, "partition", "")),
        "htk-original-offset": str(getattr(raw, "offset", "")),
    }
    log.error("poison message sent to dead letters", extra={"topic": topic, "error": repr(exc)})
    await broker.publish(message.body, dead_letter_topic(topic), key=raw.key, headers=headers)
