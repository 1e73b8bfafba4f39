from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from htk_contracts.actions import ActionPublished, PublicAction
from htk_contracts.envelope import Envelope, new_envelope
from htk_runtime.testing import running
from htk_search.main import create_service


def published(action_id: str, version: int, title: str) -> Envelope[dict[str, Any]]:
    now = datetime.now(UTC)
    action = PublicAction(
        action_id=action_id,
        version=version,
        title=title,
        summary="Kohtaamispaikka ikäihmisille",
        inequality_reduction="Tavoittaa yksin asuvat",
        language="fi",
        state="ongoing",
        organisation_id="o1",
        plan_version=1,
        measures=["1.1.1"],
        sub_goals=["1.1"],
        priorities=["1"],
        municipalities=["091"],
        published_at=now,
        updated_at=now,
        confirmed_at=now,
    )
    e = new_envelope(
        source="/t",
        type="fi.htk.action.published.v1",
        subject=action_id,
        aggregateversion=version,
        data=ActionPublished(action=action).model_dump(mode="json"),
    )
    return Envelope[dict[str, Any]].model_validate(e.model_dump())


def withdrawn(action_id: str, version: int) -> Envelope[dict[str, Any]]:
    data = {
        "kind": "withdrawn",
        "action_id": action_id,
        "organisation_id": "o1",
        "at": datetime.now(UTC).isoformat(),
    }
    e = new_envelope(
        source="/t",
        type="fi.htk.action.withdrawn.v1",
        subject=action_id,
        aggregateversion=version,
        data=data,
    )
    return Envelope[dict[str, Any]].model_validate(e.model_dump())


async def test_index_follows_versions(
    service_env: dict[str, str], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("HTK_SEARCH_INDEX_DIR", str(tmp_path / "index"))
    service = create_service()
    async with running(service.app()) as client:
        projection = service.ctx().state["projection"]
        await projection.apply(published("a1", 1, "Liikuntaa nuorille"))
        await projection.apply(published("a1", 3, "Liikuntaa kaikille nuorille"))
        await projection.apply(published("a1", 2, "Vanhentunut otsikko"))  # late, older: ignored
        await projection.apply(published("a1", 3, "Liikuntaa kaikille nuorille"))  # duplicate
        hits = (await client.get("/search", params={"q": "liikuntaa"})).json()
        assert hits["total"] == 1
        assert hits["hits"][0]["title"] == "Liikuntaa kaikille nuorille"
        assert hits["hits"][0]["version"] == 3

        await projection.apply(withdrawn("a1", 4))
        assert (await client.get("/search", params={"q": "liikuntaa"})).json()["total"] == 0
        await projection.apply(published("a1", 3, "Liikuntaa kaikille nuorille"))  # replay
        assert (await client.get("/search", params={"q": "liikuntaa"})).json()["total"] == 0


async def test_a_malformed_query_is_a_422_naming_q(
    service_env: dict[str, str], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("HTK_SEARCH_INDEX_DIR", str(tmp_path / "index"))
    async with running(create_service().app()) as client:
        response = await client.get("/search", params={"q": 'title:"unclosed'})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "q"
        too_many = await client.get("/search", params={"limit": 1000})
        assert too_many.status_code == 422
        assert too_many.json()["errors"][0]["field"] == "limit"
