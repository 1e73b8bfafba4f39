from datetime import UTC, datetime
from typing import Any

from htk_contracts.actions import ActionPublished, PublicAction
from htk_contracts.envelope import Envelope, new_envelope
from htk_reporting.main import create_service
from htk_runtime.testing import running


def event(action_id: str, version: int, measures: list[str] | None) -> Envelope[dict[str, Any]]:
    now = datetime.now(UTC)
    if measures is None:
        kind, data = (
            "withdrawn",
            {
                "kind": "withdrawn",
                "action_id": action_id,
                "organisation_id": "o1",
                "at": now.isoformat(),
            },
        )
    else:
        action = PublicAction(
            action_id=action_id,
            version=version,
            title="t",
            summary="s",
            inequality_reduction="i",
            language="fi",
            state="ongoing",
            organisation_id="o1",
            plan_version=1,
            measures=measures,
            sub_goals=sorted({m.rsplit(".", 1)[0] for m in measures}),
            priorities=sorted({m[0] for m in measures}),
            national=True,
            published_at=now,
            updated_at=now,
            confirmed_at=now,
        )
        kind, data = "published", ActionPublished(action=action).model_dump(mode="json")
    e = new_envelope(
        source="/t",
        type=f"fi.htk.action.{kind}.v1",
        subject=action_id,
        aggregateversion=version,
        data=data,
    )
    return Envelope[dict[str, Any]].model_validate(e.model_dump())


async def test_counts_move_with_versions_and_ignore_replays(service_env: dict[str, str]) -> None:
    service = create_service()
    async with running(service.app()) as client:
        coverage = service.ctx().state["coverage"]

        async def counts() -> dict[str, int]:
            body = (await client.get("/coverage")).json()
            return {p["priority"]: p["actions"] for p in body["priorities"]}

        await coverage.apply(event("a", 1, ["1.1.1"]))
        await coverage.apply(event("b", 1, ["1.1.2", "3.1.1"]))
        assert await counts() == {"1": 2, "3": 1}
        await coverage.apply(event("a", 1, ["1.1.1"]))  # duplicate
        assert await counts() == {"1": 2, "3": 1}
        await coverage.apply(event("a", 2, ["2.1.1"]))  # moved to another priority
        assert await counts() == {"1": 1, "2": 1, "3": 1}
        await coverage.apply(event("b", 3, None))  # withdrawn
        await coverage.apply(event("b", 2, ["1.1.2"]))  # late, older than the withdrawal
        assert await counts() == {"1": 0, "2": 1, "3": 0}
