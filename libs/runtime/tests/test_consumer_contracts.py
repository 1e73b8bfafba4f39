"""One ``consume()`` over several topics refuses events that break their contract: each goes to
its own topic's dead letters, naming the service, and the good events behind it are applied.

Runs on both broker tiers (``broker_tier``): in memory for ``make test-fast``, on tansu in
``make test``.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from htk_contracts.catalogue import Organisation, PlanVersion
from htk_contracts.envelope import Envelope, new_envelope
from htk_contracts.topics import dead_letter_topic
from htk_runtime.consumer import consume, organisation_event, plan_event
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import BrokerTier, eventually


def event(type: str, subject: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    return new_envelope(
        source="/t", type=type, subject=subject, aggregateversion=version, data=data
    ).model_dump(mode="json")


def organisation(organisation_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "organisation",
        "organisation_id": organisation_id,
        "name_fi": "Yhdistys",
        "type": "ngo",
        "status": "approved",
        **changes,
    }


def plan(version: int) -> dict[str, Any]:
    return {
        "kind": "plan_version",
        "version": version,
        "created_at": datetime.now(UTC).isoformat(),
        "change": "test",
        "example": True,
        "nodes": [],
    }


async def test_contract_breaking_events_are_dead_lettered_per_topic(
    broker_tier: BrokerTier,
) -> None:
    settings = ServiceSettings(service_name="contract-test")
    run = uuid.uuid4().hex[:8]
    orgs_topic, plan_topic = f"test.orgs.{run}", f"test.plan.{run}"
    organisations: list[Organisation] = []
    plans: list[PlanVersion] = []
    dead: list[tuple[str, dict[str, Any]]] = []

    async def on_organisation(envelope: Envelope[dict[str, Any]]) -> None:
        organisations.append(organisation_event(envelope))

    async def on_plan(envelope: Envelope[dict[str, Any]]) -> None:
        plans.append(plan_event(envelope))

    broker = KafkaBroker(settings.kafka_bootstrap_servers, acks="all")
    consume(broker, settings, {orgs_topic: on_organisation, plan_topic: on_plan})

    @broker.subscriber(
        dead_letter_topic(orgs_topic),
        dead_letter_topic(plan_topic),
        group_id=f"dlt-{run}",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    async def on_dead(message: KafkaMessage) -> None:
        dead.append((str(message.raw_message.topic), dict(message.headers)))  # type: ignore[union-attr]

    async with broker_tier.started(broker) as br:
        org_type = "fi.htk.organisation.changed.v1"
        # an organisation under another's subject, one of no known type, then a good one
        await br.publish(event(org_type, "o1", 1, organisation("o2")), orgs_topic, key=b"o1")
        await br.publish(
            event(org_type, "o3", 1, organisation("o3", type="no-such")), orgs_topic, key=b"o3"
        )
        await br.publish(event(org_type, "o4", 1, organisation("o4")), orgs_topic, key=b"o4")
        plan_type = "fi.htk.plan.version_published.v1"
        # a plan version sent as another aggregate version, then a good one
        await br.publish(event(plan_type, "plan", 3, plan(2)), plan_topic, key=b"plan")
        await br.publish(event(plan_type, "plan", 4, plan(4)), plan_topic, key=b"plan")

        async def done() -> bool:
            return len(organisations) == 1 and len(plans) == 1 and len(dead) >= 3

        await eventually(done, timeout=30)

    assert [o.organisation_id for o in organisations] == ["o4"]
    assert [p.version for p in plans] == [4]
    assert sorted(topic for topic, _ in dead) == sorted(
        [dead_letter_topic(orgs_topic)] * 2 + [dead_letter_topic(plan_topic)]
    )
    assert all(headers["htk-consumer"] == "contract-test" for _, headers in dead)
    errors = " ".join(headers["htk-error"] for _, headers in dead)
    assert "under subject 'o1'" in errors
    assert "sent as aggregate version 3" in errors
    assert "no-such" in errors
