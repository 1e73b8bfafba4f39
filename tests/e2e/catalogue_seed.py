"""Puts a plan and an organisation on the catalogue topics, as the catalogue would publish them."""

from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker

from htk_contracts.catalogue import Names, Organisation, PlanNode, PlanVersion
from htk_contracts.envelope import new_envelope
from htk_contracts.topics import Topic


def _event(subject: str, version: int, event_type: str, data: Any) -> dict[str, Any]:
    return new_envelope(
        source="/catalogue",
        type=event_type,
        subject=subject,
        aggregateversion=version,
        data=data.model_dump(mode="json"),
    ).model_dump(mode="json")


async def publish_catalogue(bootstrap: str, organisation_id: str) -> None:
    nodes = [
        PlanNode(code=code, level=level, name=Names(fi=code, sv=code, en=code), example=True)
        for code, level in (("1", "priority"), ("1.1", "sub_goal"), ("1.1.1", "measure"))
    ]
    plan = PlanVersion(
        version=1, created_at=datetime.now(UTC), change="e2e", example=True, nodes=nodes
    )
    organisation = Organisation(
        organisation_id=organisation_id, name_fi="Kyläyhdistys", type="ngo", status="approved"
    )
    broker = KafkaBroker(bootstrap)
    await broker.start()
    try:
        await broker.publish(
            _event("plan", 1, "fi.htk.plan.version_published.v1", plan),
            Topic.CATALOGUE_PLAN,
            key=b"plan",
        )
        await broker.publish(
            _event(organisation_id, 1, "fi.htk.organisation.changed.v1", organisation),
            Topic.CATALOGUE_ORGANISATIONS,
            key=organisation_id.encode(),
        )
    finally:
        await broker.stop()
