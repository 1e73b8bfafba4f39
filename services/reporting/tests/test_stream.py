"""An action published on the broker reaches a Server-Sent Events client of /coverage/stream.

Runs on both broker tiers (``broker_tier``): in memory for ``make test-fast``, on tansu in
``make test``."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import httpx

from htk_contracts.topics import Topic
from htk_reporting.main import create_service
from htk_testing.reporting_events import action_event
from htk_testing.runtime import BrokerTier, serving


async def read_events(response: httpx.Response) -> AsyncIterator[tuple[str, dict]]:
    event = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield event, json.loads(line.removeprefix("data: "))


NODES = ("*", "3", "3.1", "3.1.1")


async def settled_counts(client: httpx.AsyncClient) -> dict[str, int]:
    """The coverage counts of NODES once two reads a second apart agree."""

    async def read() -> dict[str, int]:
        rows = (await client.get("/coverage")).json()["rows"]
        return {r["code"]: int(r["actions"]) for r in rows if r["code"] in NODES}

    last = await read()
    for _ in range(30):
        await asyncio.sleep(1.0)
        now = await read()
        if now == last:
            return now
        last = now
    raise AssertionError(f"coverage kept changing: {last}")


async def test_published_action_reaches_the_stream(
    broker_tier: BrokerTier, tier_service_env: dict[str, str]
) -> None:
    service = create_service()
    async with (
        broker_tier.around_service(service.broker) as producer,
        serving(service.app()) as base,
        httpx.AsyncClient(base_url=base, timeout=60) as client,
    ):
        ctx = service.ctx()
        await asyncio.wait_for(ctx.broker_connected.wait(), 30)
        # The topic is shared by the whole test session: let this consumer catch up with other
        # tests' events first, so that the counts below change only by this test's action.
        before = await settled_counts(client)
        async with client.stream("GET", "/coverage/stream") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            events = read_events(response)
            kind, hello = await anext(events)
            assert kind == "hello" and "total" in hello
            action_id = f"s-{uuid.uuid4().hex[:8]}"
            envelope = action_event("published", action_id, 1, ["3.1.1"], municipalities=["091"])
            await producer.publish(
                envelope.model_dump_json().encode(),
                Topic.SUBMISSIONS_ACTIONS,
                key=action_id.encode(),
            )

            async def mine() -> tuple[str, dict]:
                while True:
                    kind, change = await anext(events)
                    if kind == "coverage" and change.get("action_id") == action_id:
                        return kind, change

            kind, change = await asyncio.wait_for(mine(), 60)
        assert (change["action_id"], change["version"], change["kind"]) == (
            action_id,
            1,
            "published",
        )
        assert change["nodes"] == {node: before.get(node, 0) + 1 for node in NODES}
        assert "municipality:091" in change["scopes"]
