"""Raw messages onto the platform's topics, past every producer of the platform."""

import asyncio
import importlib
from collections import defaultdict
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer

from tests.stack import SERVICES

Record = tuple[str, bytes | None, bytes]  # topic, key, value


def publish(bootstrap: str, records: Iterable[Record]) -> None:
    """Send in the order given and wait until the broker has every one."""

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for topic, key, value in records:
                await producer.send_and_wait(topic, value, key=key)
        finally:
            await producer.stop()

    asyncio.run(send())


def consumers_by_topic() -> dict[str, set[str]]:
    """Topic -> the services consuming it, read from the services' brokers themselves, so a
    topic a service starts consuming is covered without a change here."""
    found: dict[str, set[str]] = defaultdict(set)
    for name in SERVICES:
        service = importlib.import_module(f"htk_{name}.main").app.state.service
        for subscriber in service.broker.subscribers if service.broker else []:
            for topic in subscriber.topics:
                found[str(getattr(topic, "name", topic))].add(service.settings.service_name)
    return dict(found)
