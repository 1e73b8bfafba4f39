"""/coverage/at: dates bounded, one recount per (date, plan version), a backdated event or a
changed organisation type recounts again, a later event does not."""

import asyncio
from datetime import UTC, datetime, timedelta

from htk_reporting.main import create_service
from htk_testing.reporting_events import action_event, example_plan, organisation_event
from htk_testing.runtime import running

NOW = datetime.now(UTC)


def total(body: dict) -> int:
    return next(r["actions"] for r in body["rows"] if r["code"] == "*")


async def test_past_dates_are_bounded_and_recounted_once(service_env: dict[str, str]) -> None:
    service = create_service()
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        past = service.ctx().state["reporting"].past
        await p.apply_plan(example_plan())
        await p.apply(
            action_event("published", "a1", 1, ["1.1.1"], at=NOW - timedelta(days=40),
                         municipalities=["091"])
        )  # fmt: skip

        for bad in ("0001-01-01", "2022-12-31", (NOW + timedelta(days=2)).date().isoformat()):
            answer = await client.get("/coverage/at", params={"date": bad})
            assert answer.status_code == 422, (bad, answer.text)
            assert answer.json()["errors"][0]["field"] == "date"

        day = (NOW - timedelta(days=10)).date().isoformat()
        first = await client.get("/coverage/at", params={"date": day})
        assert first.status_code == 200 and total(first.json()) == 1
        local = await client.get("/coverage/at", params={"date": day, "scope": "municipality:091"})
        assert total(local.json()) == 1
        empty = await client.get("/coverage/at", params={"date": day, "scope": "county:01"})
        assert total(empty.json()) == 0
        assert past.recounts == 1  # every scope of the day from one recount

        # A later event leaves the past day alone.
        await p.apply(action_event("published", "a2", 1, ["2.1.1"], at=NOW))
        again = await client.get("/coverage/at", params={"date": day})
        assert total(again.json()) == 1 and past.recounts == 1

        # A backdated event (published twenty days ago, delivered now) changes that day.
        await p.apply(action_event("published", "a3", 1, ["2.1.1"], at=NOW - timedelta(days=20)))
        backdated = await client.get("/coverage/at", params={"date": day})
        assert total(backdated.json()) == 2 and past.recounts == 2

        # So does an organisation's new type: the recount counts by today's types.
        await p.apply_organisation(organisation_event("org-1", 1, "ngo"))
        by_type = await client.get("/coverage/at", params={"date": day})
        star = next(r for r in by_type.json()["rows"] if r["code"] == "*")
        assert star["by_org_type"] == {"ngo": 2} and past.recounts == 3

        # A new plan version is a new key.
        await p.apply_plan(example_plan(version=2))
        await client.get("/coverage/at", params={"date": day})
        assert past.recounts == 4


async def test_recounts_queue_briefly_then_refuse(service_env: dict[str, str], monkeypatch) -> None:
    from htk_reporting.counting import past as past_module

    monkeypatch.setattr(past_module, "WAITING", 0)  # one recount at a time, nobody queues
    started, gate = asyncio.Event(), asyncio.Event()
    real = past_module.recount_rows

    async def held(*args: object) -> object:
        started.set()
        await gate.wait()  # a recount that takes as long as the test wants
        return await real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(past_module, "recount_rows", held)
    service = create_service()
    async with running(service.app()) as client:
        past = service.ctx().state["reporting"].past
        await service.ctx().state["projection"].apply_plan(example_plan())
        first, other, again = ((NOW - timedelta(days=d)).date().isoformat() for d in (3, 4, 5))
        running_one = asyncio.create_task(client.get("/coverage/at", params={"date": first}))
        await started.wait()
        refused = await client.get("/coverage/at", params={"date": other})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        # The same day asked while it is being counted waits for that recount.
        same = asyncio.create_task(client.get("/coverage/at", params={"date": first}))
        await asyncio.sleep(0.1)
        gate.set()
        assert (await running_one).status_code == 200 and (await same).status_code == 200
        together = await asyncio.gather(
            *(client.get("/coverage/at", params={"date": again}) for _ in range(3))
        )
        assert [a.status_code for a in together] == [200, 200, 200]
        assert past.recounts == 2
