"""Re-emit the current state of every aggregate through the outbox.

Consumers apply an event only if its version is newer than what they hold, so a replay changes
nothing where a read copy is current and rebuilds it where it is empty (a fresh service, or a
broker that lost its topics on restart). Plan versions go out oldest first, so a read copy that
keeps history gets all of it and ends on the current version.
"""

from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from htk_catalogue import member_store, organisation_store
from htk_catalogue.events import plan_published
from htk_catalogue.member_store import MemberStore
from htk_catalogue.organisation_store import OrganisationStore
from htk_catalogue.plan_store import PlanStore, to_contract
from htk_catalogue.transactions import Writer
from htk_contracts.envelope import Envelope

BATCH = 200


async def replay(
    writer: Writer, plan: PlanStore, organisations: OrganisationStore, members: MemberStore
) -> dict[str, int]:
    topics = writer.topics
    plan_events = [plan_published(to_contract(v)) for v in await plan.all_versions()]
    organisation_events = [organisation_store.event_of(o) for o in await organisations.all()]
    member_events = [member_store.event_of(m) for m in await members.all()]
    await _add(writer, topics.plan, plan_events)
    await _add(writer, topics.organisations, organisation_events)
    await _add(writer, topics.members, member_events)
    return {
        "plan_versions": len(plan_events),
        "organisations": len(organisation_events),
        "members": len(member_events),
    }


async def _add(writer: Writer, topic: str, events: Iterable[Envelope[Any]]) -> None:
    pending = list(events)
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]

        async def work(session: AsyncClientSession, batch: list[Envelope[Any]] = batch) -> None:
            for envelope in batch:
                await writer.outbox.add(session, topic=topic, envelope=envelope)

        await writer.transaction(work)
