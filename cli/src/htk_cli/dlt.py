"""``htk dlt list`` and ``htk dlt replay``: inspect dead letters and re-drive them after a fix.

A consumer sends a message it can never apply to ``<topic>.dlt`` with the error, the service
that refused it and where it came from (headers ``htk-error``, ``htk-consumer``,
``htk-original-topic``, ``-partition``, ``-offset``). Replaying
publishes the original bytes to the original topic again; consumers apply an event only if it
is newer than what they hold, so replaying twice changes nothing.
"""

import argparse
import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from htk_contracts.topics import Topic, dead_letter_topic


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def original_topic(self) -> str:
        return self.headers.get("htk-original-topic") or self.topic.removesuffix(".dlt")

    def summary(self) -> dict[str, Any]:
        return {
            "dlt": f"{self.topic}/{self.partition}@{self.offset}",
            "from": f"{self.original_topic}/{self.headers.get('htk-original-partition', '?')}"
            f"@{self.headers.get('htk-original-offset', '?')}",
            "consumer": self.headers.get("htk-consumer", "?"),
            "key": self.key.decode(errors="replace") if self.key else None,
            "error": self.headers.get("htk-error", ""),
            "body": self.value[:200].decode(errors="replace"),
        }


ALL_DLT_TOPICS = [dead_letter_topic(t.value) for t in Topic]


def sasl_options(settings: Any) -> dict[str, Any]:
    """aiokafka's sign-in options for the Kafka user in the settings (none when it is empty):
    production Kafka lets ``htk-operator`` read dead letters and write them back."""
    if not settings.kafka_sasl_username:
        return {}
    return {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": settings.kafka_sasl_username,
        "sasl_plain_password": settings.kafka_sasl_password,
    }


async def read_dead_letters(
    bootstrap: str, topics: list[str], auth: dict[str, Any] | None = None
) -> list[DeadLetter]:
    """Everything in the dead-letter topics, read without joining a consumer group."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, **(auth or {})
    )
    await consumer.start()
    try:
        partitions = []
        existing = await consumer.topics()
        for topic in topics:
            if topic not in existing:
                continue
            for p in consumer.partitions_for_topic(topic) or set():
                partitions.append(TopicPartition(topic, p))
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                for r in records:
                    letters.append(
                        DeadLetter(
                            r.topic,
                            r.partition,
                            r.offset,
                            r.key,
                            r.value or b"",
                            {k: v.decode(errors="replace") for k, v in (r.headers or [])},
                        )
                    )
                    if r.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
            if not batch:
                remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
        return sorted(letters, key=lambda d: (d.topic, d.partition, d.offset))
    finally:
        await consumer.stop()


async def replay(
    bootstrap: str, letters: list[DeadLetter], auth: dict[str, Any] | None = None
) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **(auth or {}))
    await producer.start()
    try:
        for letter in letters:
            headers = [
                (k, v.encode()) for k, v in letter.headers.items() if not k.startswith("htk-")
            ]
            headers.append(
                ("htk-replayed-from", f"{letter.topic}/{letter.partition}@{letter.offset}".encode())
            )
            await producer.send_and_wait(
                letter.original_topic, letter.value, key=letter.key, headers=headers
            )
    finally:
        await producer.stop()
    return len(letters)


def run_list(bootstrap: str, topic: str | None, auth: dict[str, Any] | None = None) -> int:
    topics = [topic] if topic else ALL_DLT_TOPICS
    letters = asyncio.run(read_dead_letters(bootstrap, topics, auth))
    for letter in letters:
        print(json.dumps(letter.summary(), ensure_ascii=False))
    print(f"{len(letters)} dead letter(s)")
    return 0


def run_replay(
    bootstrap: str,
    topic: str,
    from_offset: int,
    to_offset: int | None,
    auth: dict[str, Any] | None = None,
) -> int:
    letters = asyncio.run(read_dead_letters(bootstrap, [topic], auth))
    chosen = [
        d
        for d in letters
        if d.offset >= from_offset and (to_offset is None or d.offset <= to_offset)
    ]
    count = asyncio.run(replay(bootstrap, chosen, auth))
    print(f"replayed {count} message(s) from {topic} to their original topics")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cmd = commands.add_parser("dlt", help="inspect and re-drive dead letters")
    sub = cmd.add_subparsers(dest="dlt_command", required=True)
    listing = sub.add_parser("list", help="print the dead letters, one JSON line each")
    listing.add_argument("--topic", help="one dead-letter topic (default: all)")
    again = sub.add_parser("replay", help="publish dead letters to their original topic again")
    again.add_argument("--topic", required=True, help="e.g. submissions.actions.v1.dlt")
    again.add_argument("--from-offset", type=int, default=0)
    again.add_argument("--to-offset", type=int, default=None)


def run(args: argparse.Namespace) -> int:
    from htk_cli.settings import service_settings
    from htk_runtime.settings import ServiceSettings

    settings = service_settings(ServiceSettings)
    bootstrap, auth = settings.kafka_bootstrap_servers, sasl_options(settings)
    if args.dlt_command == "list":
        return run_list(bootstrap, args.topic, auth)
    return run_replay(bootstrap, args.topic, args.from_offset, args.to_offset, auth)
