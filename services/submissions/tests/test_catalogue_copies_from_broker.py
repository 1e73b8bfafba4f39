"""The catalogue's organisation events, read from the broker, keep submissions' read copy at the
newest version: a late, older event changes nothing. In memory and on tansu (``broker_tier``)."""

import uuid
from typing import Any

import pytest

from htk_contracts.envelope import new_envelope
from htk_contracts.topics import Topic
from htk_submissions.main import create_service
from htk_testing.runtime import BrokerTier, eventually, running

from .conftest import REPO, organisation


async def test_a_late_older_organisation_event_leaves_the_newer_copy(
    broker_tier: BrokerTier, tier_service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTK_SUBMISSIONS_DATA_DIR", str(REPO / "data"))
    monkeypatch.setenv("HTK_SEARCH_URL", "http://127.0.0.1:1")  # no search service here
    tag = uuid.uuid4().hex[:8]
    first, second = f"o-{tag}", f"p-{tag}"
    service = create_service()

    def event(org_id: str, version: int, name: str, status: str) -> bytes:
        data = organisation(org_id, status).model_copy(update={"name_fi": name})
        return (
            new_envelope(
                source="/catalogue",
                type="fi.htk.organisation.changed.v1",
                subject=org_id,
                aggregateversion=version,
                data=data.model_dump(mode="json"),
            )
            .model_dump_json()
            .encode()
        )

    async with broker_tier.around_service(service.broker) as producer, running(service.app()):
        copies = service.ctx().state["copies"]
        # One key for all three, so one partition and this order: once the second organisation
        # is in the copy, the late event before it has been handled.
        for body in (
            event(first, 2, "Uusi nimi", "approved"),
            event(first, 1, "Vanha nimi", "proposed"),
            event(second, 1, "Toinen", "approved"),
        ):
            await producer.publish(body, Topic.CATALOGUE_ORGANISATIONS, key=first.encode())

        async def second_copied() -> Any:
            return await copies.organisations.find_one({"_id": second})

        await eventually(second_copied, timeout=30)
        held = await copies.organisations.find_one({"_id": first})
        assert (held["name_fi"], held["status"], held["version"]) == ("Uusi nimi", "approved", 2)
        assert await copies.organisation_approved(first)
