from typing import Any

from htk_runtime.testing import eventually, running
from htk_submissions.main import create_service

ACTION: dict[str, Any] = {
    "title": "Ikäihmisten kohtaamispaikka",
    "summary": "Viikoittainen kohtaamispaikka yksin asuville ikäihmisille.",
    "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat, joilla on vähän palveluita.",
    "organisation_id": "org-1",
    "measures": ["1.1.1", "3.1.1"],
    "municipalities": ["564"],
}


async def test_a_created_action_is_stored_with_its_event_and_relayed(
    service_env: dict[str, str],
) -> None:
    service = create_service()
    async with running(service.app()) as client:
        response = await client.post("/actions", json=ACTION)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["sub_goals"] == ["1.1", "3.1"]
        assert body["priorities"] == ["1", "3"]
        fetched = await client.get(f"/actions/{body['id']}")
        assert fetched.json()["title"] == ACTION["title"]

        outbox = service.ctx().db["outbox"]
        stored = await outbox.find_one({"key": body["id"]})
        assert stored is not None
        assert stored["event"]["type"] == "fi.htk.action.published.v1"
        assert stored["event"]["data"]["action"]["title"] == ACTION["title"]

        async def relayed() -> bool:
            doc = await outbox.find_one({"key": body["id"]})
            return doc is not None and doc["sent_at"] is not None

        await eventually(relayed, timeout=30)


async def test_invalid_input_names_the_field_and_stores_nothing(
    service_env: dict[str, str],
) -> None:
    service = create_service()
    async with running(service.app()) as client:
        cases = [
            ({**ACTION, "title": ""}, "title"),
            ({**ACTION, "measures": ["banana"]}, "measures.0"),
            ({**ACTION, "municipalities": ["91"]}, "municipalities.0"),
            ({**ACTION, "municipalities": []}, ""),
            (
                {k: v for k, v in ACTION.items() if k != "inequality_reduction"},
                "inequality_reduction",
            ),
            ({**ACTION, "surprise": 1}, "surprise"),
        ]
        for payload, field in cases:
            response = await client.post("/actions", json=payload)
            assert response.status_code == 422, payload
            errors = response.json()["errors"]
            if field:
                assert field in [e["field"] for e in errors], errors
            else:
                assert "where the action happens" in errors[0]["message"]
        assert await service.ctx().db["actions"].count_documents({}) == 0
        assert await service.ctx().db["outbox"].count_documents({}) == 0
        missing = await client.get("/actions/nope")
        assert missing.status_code == 404
        assert missing.json()["errors"][0]["field"] == "action_id"
