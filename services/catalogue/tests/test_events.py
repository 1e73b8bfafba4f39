"""The catalogue's topics, read as another service would: erasure reaches a read copy, and a
consumer reading from the beginning ends with exactly the catalogue's state."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from faststream.kafka import KafkaBroker

from htk_catalogue import member_store, organisation_store
from htk_catalogue.catalogue import Catalogue
from htk_catalogue.events import Topics
from htk_catalogue.plan_store import to_contract
from htk_catalogue.settings import CatalogueSettings
from htk_contracts.envelope import Envelope
from htk_runtime.consumer import consume
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import eventually

Running = Any  # the `cat` fixture of conftest.py
ORG = {"name_fi": "Kyläyhdistys", "type": "ngo", "municipality": "564"}


@dataclass
class LatestPerKey:
    """A read copy as a consumer keeps it: per topic and key, the newest event applied."""

    state: dict[str, dict[str, tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def handler(self, topic: str) -> Any:
        async def apply(envelope: Envelope[dict[str, Any]]) -> None:
            self.seen.add(envelope.id)
            held = self.state.setdefault(topic, {}).get(envelope.subject)
            if held is None or envelope.aggregateversion > held[0]:
                self.state[topic][envelope.subject] = (envelope.aggregateversion, envelope.data)

        return apply

    def data(self, topic: str) -> dict[str, dict[str, Any]]:
        return {key: data for key, (_, data) in self.state.get(topic, {}).items()}


async def _consumer(bootstrap: str, topics: list[str], copy: LatestPerKey) -> KafkaBroker:
    settings = ServiceSettings(
        service_name="reader",
        kafka_bootstrap_servers=bootstrap,
        kafka_group_prefix=f"fresh-{uuid.uuid4().hex[:8]}",
    )
    broker = KafkaBroker(bootstrap)
    consume(broker, settings, {t: copy.handler(t) for t in topics})
    await broker.start()
    return broker


async def _catalogue_state(catalogue: Catalogue) -> dict[str, dict[str, dict[str, Any]]]:
    """What the catalogue's database holds, in the shape of its events."""
    topics = catalogue.writer.topics
    plan = await catalogue.plan.current()
    assert plan is not None
    return {
        topics.plan: {"plan": to_contract(plan).model_dump(mode="json")},
        topics.organisations: {
            o["_id"]: organisation_store.event_of(o).data
            for o in await catalogue.organisations.all()
        },
        topics.members: {
            m["_id"]: member_store.event_of(m).data for m in await catalogue.members.all()
        },
    }


def _comparable(copy: LatestPerKey, topics: Topics) -> dict[str, dict[str, dict[str, Any]]]:
    return {t: copy.data(t) for t in (topics.plan, topics.organisations, topics.members)}


async def _busy_catalogue(cat: Running) -> None:
    """Plan edits, organisations proposed, approved and rejected, members joining and erased."""
    coordinator = cat.coordinator()
    client = cat.client
    assert (
        await client.patch("/plan/nodes/1.1.1", json={"name": {"fi": "Uusi"}}, headers=coordinator)
    ).status_code == 200
    assert (await client.post("/plan/nodes/1.2.2/retire", headers=coordinator)).status_code == 200
    org = (await client.post("/organisations", json=ORG, headers=coordinator)).json()["id"]
    for i in range(3):
        body = {"name": f"Jäsen {i}", "email": f"j{i}@example.org", "organisation_id": org}
        member = (await client.post("/registrations", json=body)).json()["member"]
        await client.post(
            f"/organisations/{org}/memberships/{member['id']}/decision",
            json={"approve": True, "role": "admin" if i == 0 else "member"},
            headers=coordinator,
        )
        if i == 2:
            erased = await client.post(f"/members/{member['id']}/erasure", headers=coordinator)
            assert erased.status_code == 200
    for name, decision in (("Hyväksytty ry", "approved"), ("Hylätty ry", "rejected")):
        body = {
            "name": f"Ehdottaja {name}",
            "email": f"{decision}@example.org",
            "new_organisation": {**ORG, "name_fi": name},
        }
        proposed = (await client.post("/registrations", json=body)).json()["organisation"]
        await client.post(
            f"/organisations/{proposed['id']}/decision",
            json={"status": decision},
            headers=coordinator,
        )


async def test_an_erasure_reaches_a_read_copy_in_another_service(
    cat: Running, catalogue_env: dict[str, str]
) -> None:
    topics = cat.catalogue.writer.topics
    copy = LatestPerKey()
    reader = await _consumer(catalogue_env["HTK_KAFKA_BOOTSTRAP_SERVERS"], [topics.members], copy)
    try:
        org = (await cat.client.post("/organisations", json=ORG, headers=cat.coordinator())).json()[
            "id"
        ]
        body = {"name": "Maija", "email": "maija@example.org", "organisation_id": org}
        member_id = (await cat.client.post("/registrations", json=body)).json()["member"]["id"]

        async def holds_maija() -> bool:
            return copy.data(topics.members).get(member_id, {}).get("email") == "maija@example.org"

        await eventually(holds_maija, timeout=30)
        me = cat.as_user(member_id=member_id)
        assert (await cat.client.post("/members/me/erasure", headers=me)).status_code == 200

        async def erased() -> dict[str, Any] | None:
            data = copy.data(topics.members)[member_id]
            return data if data["kind"] == "erased" else None

        data = await eventually(erased, timeout=30)
        assert set(data) == {"kind", "member_id", "erased_at"}
        assert "maija" not in repr(copy.data(topics.members)).lower()
    finally:
        await reader.stop()


async def test_a_consumer_from_the_beginning_ends_with_the_catalogue_state_and_so_does_a_replay(
    cat: Running, catalogue_env: dict[str, str]
) -> None:
    await _busy_catalogue(cat)
    catalogue: Catalogue = cat.catalogue
    outbox = catalogue.writer.outbox
    await eventually(lambda: _is_zero(outbox.backlog()), timeout=30)
    expected = await _catalogue_state(catalogue)
    assert len(expected[catalogue.writer.topics.members]) == 5
    assert len(expected[catalogue.writer.topics.organisations]) == 3

    bootstrap = catalogue_env["HTK_KAFKA_BOOTSTRAP_SERVERS"]
    topics = catalogue.writer.topics
    copy = LatestPerKey()
    reader = await _consumer(bootstrap, [topics.plan, topics.organisations, topics.members], copy)
    try:
        # The state topics only: catalogue.requests.v1 (requests and decisions) is not state.
        state_topics = {"topic": {"$in": [topics.plan, topics.organisations, topics.members]}}
        sent = {d["event_id"] async for d in outbox.collection.find(state_topics, {"event_id": 1})}

        async def caught_up() -> bool:
            return sent <= copy.seen

        await eventually(caught_up, timeout=30)
        assert _comparable(copy, topics) == expected
    finally:
        await reader.stop()

    # A broker that lost everything (tansu restarted): a replay onto empty topics rebuilds it.
    fresh = Topics.with_prefix(f"replay-{uuid.uuid4().hex[:8]}.")
    settings = CatalogueSettings(
        catalogue_topic_prefix=fresh.plan.removesuffix("catalogue.plan.v1")
    )
    replaying = await Catalogue.open(catalogue.writer.db, settings)
    counts = await replaying.replay()
    assert counts == {"plan_versions": 3, "organisations": 3, "members": 5}
    outbox.notify()
    await eventually(lambda: _is_zero(outbox.backlog()), timeout=30)
    rebuilt = LatestPerKey()
    reader = await _consumer(bootstrap, [fresh.plan, fresh.organisations, fresh.members], rebuilt)
    try:
        replayed = {
            d["event_id"]
            async for d in outbox.collection.find({"topic": {"$in": [fresh.plan, fresh.members]}})
        }
        await eventually(lambda: _true(replayed <= rebuilt.seen), timeout=30)
        await eventually(lambda: _true(len(rebuilt.data(fresh.organisations)) == 3), timeout=30)
        assert _comparable(rebuilt, fresh) == {
            fresh.plan: expected[topics.plan],
            fresh.organisations: expected[topics.organisations],
            fresh.members: expected[topics.members],
        }
    finally:
        await reader.stop()


async def _is_zero(count: Any) -> bool:
    return await count == 0


async def _true(value: bool) -> bool:
    return value
