"""Transactional outbox: a state change and its event are committed together, then relayed.

``Outbox.add`` writes the event in the caller's MongoDB transaction. ``OutboxRelay`` publishes
unsent events in the order they were written (``acks=all``) and marks them sent. If the broker is
away, events wait in the collection; nothing is lost. A crash between publishing and marking
sends an event twice: consumers apply an event only if its aggregate version is newer than what
they hold, so a duplicate changes nothing.

A broker that lost events it had acknowledged (the embedded broker keeps nothing across a restart;
on Kafka, an unclean leader election truncates a partition) shows it in its acknowledgements: a
partition's offsets start over. The relay then sends again every event it sent within
``RESEND_WINDOW``, as those a consumer had not yet read are gone from the broker; consumers ignore
the ones they hold.

An event the broker keeps refusing (too large, a topic the service may not write, a broken
document) does not hold up the ones after it: each publish succeeds or fails on its own, a
failure is counted on the event (``attempts``, ``last_error``), and after ``max_attempts``
counted failures the event is parked (``parked_at``): the relay leaves it, logs an error and
counts ``htk_outbox_parked_events_total``. A failure is counted only when the broker is otherwise
working (another event of the round went through) or says the error will not pass by retrying,
so a broker outage parks nothing. ``htk outbox list|show|resend`` inspects parked events and
sends one again after the cause is fixed. Later events of a parked event's aggregate are still
sent: they carry the aggregate's newer state, which consumers apply.

Only one relay per database publishes at a time (a lease document), so running several replicas
of a service does not multiply events or reorder them.

Tracing: ``Outbox.add`` stores the active trace context in the envelope (``traceparent``, the
CloudEvents distributed tracing extension), and the relay publishes each event in a span that is a
child of it, so the trace of a request continues through the broker into every consumer however
late the relay sends it.
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka.errors import KafkaTimeoutError, ProducerClosed
from bson import ObjectId
from faststream.kafka import KafkaBroker
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from htk_contracts.envelope import Envelope
from htk_runtime.metrics import metrics_of
from htk_runtime.mongo import ensure_ttl_index
from htk_runtime.telemetry import context_from_traceparent, current_traceparent, tracer, untraced

log = logging.getLogger(__name__)

OUTBOX = "outbox"
LEASES = "outbox_lease"
# Longer than any consumer lag the alerts let pass unnoticed: a consumer further behind than this
# when the broker lost its log needs a rebuild from its own snapshots (htk search reindex, htk
# reporting rebuild) or a catalogue replay.
RESEND_WINDOW = timedelta(minutes=10)
# Retention (deploy/README.md): a sent event is deleted by the database this long after it was
# sent. Far longer than RESEND_WINDOW; consumers that need older state get it from a replay
# (htk catalogue replay) or rebuild from their own snapshots. Unsent and parked events stay.
SENT_RETENTION = timedelta(days=7)
# Counted failures before an event is parked (see the module's docstring).
MAX_ATTEMPTS = 10
_WAITING = {"sent_at": None, "parked_at": None}


async def ensure_outbox_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[OUTBOX].create_index([("sent_at", ASCENDING), ("_id", ASCENDING)])
    await ensure_ttl_index(db[OUTBOX], "sent_at", int(SENT_RETENTION.total_seconds()))


class Outbox:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[OUTBOX]
        self._wake = asyncio.Event()

    async def add(
        self,
        session: AsyncClientSession,
        *,
        topic: str,
        envelope: Envelope[Any],
    ) -> None:
        with self._span(topic, envelope):
            await self.collection.insert_one(self._document(topic, envelope), session=session)

    def entry(self, *, topic: str, envelope: Envelope[Any]) -> dict[str, Any]:
        """The outbox document for ``envelope``, for a caller that inserts it together with its
        own documents (see :func:`htk_runtime.mongo.insert_together`) in its transaction."""
        with self._span(topic, envelope):
            return self._document(topic, envelope)

    def _span(self, topic: str, envelope: Envelope[Any]) -> Any:
        return tracer().start_as_current_span(
            f"outbox add {topic}",
            attributes={"messaging.destination.name": topic, "cloudevents.event_id": envelope.id},
        )

    def _document(self, topic: str, envelope: Envelope[Any]) -> dict[str, Any]:
        if envelope.traceparent is None:
            envelope = envelope.model_copy(update={"traceparent": current_traceparent()})
        # An ObjectId made here grows monotonically within this process, so sorting by _id
        # relays events in the order they were written.
        return {
            "_id": ObjectId(),
            "event_id": envelope.id,
            "topic": topic,
            "key": envelope.subject,
            "event": envelope.model_dump(mode="json"),
            "created_at": datetime.now(UTC),
            "sent_at": None,
        }

    def notify(self) -> None:
        """Wake the relay now instead of at its next poll (call after the transaction commits)."""
        self._wake.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    async def backlog(self) -> int:
        return await self.collection.count_documents(_WAITING)

    # --- parked events (htk outbox) ---------------------------------------------------------

    async def parked(self, limit: int = 100) -> list[dict[str, Any]]:
        """Parked events, oldest first."""
        found = self.collection.find({"sent_at": None, "parked_at": {"$ne": None}})
        return await found.sort("_id", ASCENDING).limit(limit).to_list()

    async def get(self, event_id: str) -> dict[str, Any] | None:
        """An outbox entry by its event id (or its own ``_id``)."""
        query: dict[str, Any] = {"event_id": event_id}
        if ObjectId.is_valid(event_id):
            query = {"$or": [query, {"_id": ObjectId(event_id)}]}
        return await self.collection.find_one(query)

    async def resend(self, event_id: str) -> bool:
        """Put a parked event back in line, with its attempts counted from zero."""
        doc = await self.get(event_id)
        if doc is None or doc.get("parked_at") is None or doc.get("sent_at") is not None:
            return False
        await self.collection.update_one(
            {"_id": doc["_id"]},
            {
                "$set": {"parked_at": None, "attempts": 0},
                "$push": {"resent_at": datetime.now(UTC)},
            },
        )
        return True


class _Held(Exception):
    """An event that waits for the next round behind a failed one of its aggregate."""


async def _held() -> Any:
    return _Held()


async def _failed(exc: Exception) -> Any:
    raise exc


def _acknowledged(result: Any) -> bool:
    return not isinstance(result, BaseException)


def _retriable(error: BaseException) -> bool:
    """Whether the error may pass by itself (Kafka's own verdict; connection trouble)."""
    # aiokafka calls a timeout not retriable, but a broker that is away times out every send.
    passing = (ConnectionError, TimeoutError, KafkaTimeoutError, ProducerClosed)
    if isinstance(error, passing):
        return True
    return bool(getattr(error, "retriable", False))


async def unsent_stats(db: AsyncDatabase[dict[str, Any]]) -> tuple[int, float] | None:
    """(events not yet sent, age in seconds of the oldest) or None if ``db`` has no outbox."""
    if not await db.list_collection_names(filter={"name": OUTBOX}):
        return None
    unsent = _WAITING
    backlog = await db[OUTBOX].count_documents(unsent)
    oldest = await db[OUTBOX].find_one(
        unsent, sort=[("sent_at", ASCENDING), ("_id", ASCENDING)], projection={"created_at": 1}
    )
    age = (datetime.now(UTC) - oldest["created_at"]).total_seconds() if oldest else 0.0
    return backlog, max(age, 0.0)


class OutboxRelay:
    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        outbox: Outbox,
        broker: KafkaBroker,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        lease_seconds: float = 10.0,
        linger: float = 0.05,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.broker = broker
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        # After a wake-up, wait this long so that events written meanwhile go in the same batch:
        # under load that saves a lease check, a query and an update per event.
        self.linger = linger
        self.max_attempts = max_attempts
        self._lease_until = 0.0
        # The highest offset acknowledged per (topic, partition) by this relay.
        self._acknowledged: dict[tuple[str, int], int] = {}
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    async def _hold_lease(self) -> bool:
        # Renew only when half the lease is gone: a lease check per batch is a write per batch.
        started = time.monotonic()
        if started < self._lease_until - self.lease_seconds / 2:
            return True
        now = datetime.now(UTC)
        try:
            doc = await self.db[LEASES].find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {
                    "$set": {
                        "owner": self.owner,
                        "expires_at": now + timedelta(seconds=self.lease_seconds),
                    }
                },
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # another relay holds a lease that has not expired
        held = doc is not None and doc.get("owner") == self.owner
        # Counted from before the write, so the local view never outlives the stored lease.
        self._lease_until = started + self.lease_seconds if held else 0.0
        return held

    async def relay_once(self) -> int:
        """Publish one batch of unsent events; returns how many were sent."""
        # Polling belongs to no request: traced, every poll would be a trace of its own.
        with untraced():
            if not await self._hold_lease():
                return 0
            batch = await (
                self.outbox.collection.find(_WAITING).sort("_id", ASCENDING).limit(self.batch_size)
            ).to_list()
        if not batch:
            return 0
        results = await self._publish_each(batch)
        sent = [doc for doc, result in zip(batch, results, strict=True) if _acknowledged(result)]
        failed = [
            (doc, result)
            for doc, result in zip(batch, results, strict=True)
            if isinstance(result, BaseException) and not isinstance(result, _Held)
        ]
        lost = self._offsets_started_over([r for r in results if _acknowledged(r)])
        now = datetime.now(UTC)
        with untraced():
            if sent:
                await self.outbox.collection.update_many(
                    {"_id": {"$in": [d["_id"] for d in sent]}}, {"$set": {"sent_at": now}}
                )
            counted = [(d, e) for d, e in failed if sent or not _retriable(e)]
            for doc, error in counted:
                await self._count_failure(doc, error, now)
            if lost:
                again = await self.outbox.collection.update_many(
                    {"sent_at": {"$gte": now - RESEND_WINDOW}}, {"$set": {"sent_at": None}}
                )
                log.warning(
                    "the broker lost acknowledged events; sending recent ones again",
                    extra={"events": again.modified_count, "window": str(RESEND_WINDOW)},
                )
        if failed and not counted:
            # Nothing went through and the broker calls it passing: an outage, not the events.
            raise failed[0][1]
        return len(sent)

    async def _publish_each(self, batch: list[dict[str, Any]]) -> list[Any]:
        """Each event's acknowledgement or error. Sends go out one after another and are
        acknowledged together; after a failed send, later events of the same aggregate wait
        for the next round, so an aggregate's events never overtake each other in one round."""
        pending: list[Any] = []
        failing_keys: set[str] = set()
        for doc in batch:
            if doc["key"] in failing_keys:
                pending.append(_held())
                continue
            try:
                pending.append(await self._publish(doc))
            except Exception as exc:
                failing_keys.add(doc["key"])
                pending.append(_failed(exc))
        # Every send of the batch is acknowledged (or refused) before any is marked sent.
        return list(await asyncio.gather(*pending, return_exceptions=True))

    async def _count_failure(
        self, doc: dict[str, Any], error: BaseException, now: datetime
    ) -> None:
        attempts = int(doc.get("attempts", 0)) + 1
        update: dict[str, Any] = {"attempts": attempts, "last_error": repr(error)[:1000]}
        park = attempts >= self.max_attempts
        if park:
            update["parked_at"] = now
        await self.outbox.collection.update_one({"_id": doc["_id"]}, {"$set": update})
        if park:
            metrics = metrics_of(self.broker, "outbox")
            metrics.outbox_parked.labels(metrics.service, doc["topic"]).inc()
            log.error(
                "outbox event parked after repeated failures; see `htk outbox list`",
                extra={
                    "event_id": doc["event_id"],
                    "topic": doc["topic"],
                    "attempts": attempts,
                    "error": repr(error)[:500],
                },
            )

    def _offsets_started_over(self, acknowledged: list[Any]) -> bool:
        started_over = False
        for ack in acknowledged:
            offset = getattr(ack, "offset", None)
            if offset is None:
                continue
            key = (ack.topic, ack.partition)
            if offset < self._acknowledged.get(key, -1):
                started_over = True
            self._acknowledged[key] = offset
        return started_over

    async def _publish(self, doc: dict[str, Any]) -> Any:
        event, topic = doc["event"], doc["topic"]
        headers = {"content-type": "application/cloudevents+json", "ce_type": event["type"]}
        if event.get("traceparent"):
            # Replaced by the broker's telemetry with the publish span's context when tracing is
            # on; kept as it is when tracing is off, so consumers still log the request's trace.
            headers["traceparent"] = event["traceparent"]
        with tracer().start_as_current_span(
            f"outbox relay {topic}",
            context=context_from_traceparent(event.get("traceparent")),
            attributes={
                "messaging.destination.name": topic,
                "cloudevents.event_id": event["id"],
                "cloudevents.event_type": event["type"],
            },
        ):
            return await self.broker.publish(
                event, topic, key=doc["key"].encode(), headers=headers, no_confirm=True
            )

    async def run(self, stopping: asyncio.Event, connected: asyncio.Event) -> None:
        delay = 0.5
        while not stopping.is_set():
            if not connected.is_set():
                await self.outbox.wait(self.poll_interval)
                continue
            try:
                sent = await self.relay_once()
                delay = 0.5
            except Exception as exc:
                log.warning(
                    "outbox relay failed, retrying", extra={"error": repr(exc), "retry_in": delay}
                )
                await self.outbox.wait(delay)
                delay = min(delay * 2, 10.0)
                continue
            if sent < self.batch_size:
                await self.outbox.wait(self.poll_interval)
                await asyncio.sleep(self.linger)
