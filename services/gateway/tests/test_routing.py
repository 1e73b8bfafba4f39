from htk_gateway.main import create_service
from htk_testing.runtime import running


async def test_visitors_cannot_write(service_env: dict[str, str]) -> None:
    async with running(create_service().app()) as client:
        response = await client.post("/api/v1/actions", json={})
        assert response.status_code == 401
        assert response.json()["message"] == "Sign in to do this"
        forged = await client.post(
            "/api/v1/actions", json={}, headers={"HTK-User": "dev-coordinator"}
        )
        assert forged.status_code == 401, "a user header from outside is not trusted"


async def test_an_unreachable_service_is_a_503_with_a_message(
    service_env: dict[str, str], monkeypatch
) -> None:
    monkeypatch.setenv("HTK_SEARCH_URL", "http://127.0.0.1:1")
    async with running(create_service().app()) as client:
        response = await client.get("/api/v1/search", params={"q": "x"})
        assert response.status_code == 503
        assert "search" in response.json()["message"]


async def test_openapi_is_published_under_api_v1(service_env: dict[str, str]) -> None:
    async with running(create_service().app()) as client:
        spec = (await client.get("/api/v1/openapi.json")).json()
        assert "/api/v1/search" in spec["paths"]
        assert "/api/v1/actions" in spec["paths"]


async def test_partner_routes_are_routed_and_documented(service_env: dict[str, str]) -> None:
    async with running(create_service().app()) as client:
        asked = await client.post("/api/v1/actions/a1/partners", json={"organisation_id": "o2"})
        assert asked.status_code == 401, "routed to partners, not refused as an unknown step"
        decided = await client.post("/api/v1/actions/a1/partners/o2/approve")
        assert decided.status_code == 401
        # The write guard runs before the path is read: a visitor learns nothing more.
        wrong = await client.post("/api/v1/actions/a1/partners/o2/maybe")
        assert wrong.status_code == 401
        spec = (await client.get("/api/v1/openapi.json")).json()
        assert "post" in spec["paths"]["/api/v1/actions/{action_id}/partners"]
        assert "/api/v1/actions/{action_id}/partners/{organisation_id}/{decision}" in spec["paths"]
        assert "/api/v1/actions/{action_id}/possible-duplicates" in spec["paths"]


async def test_a_decision_that_is_not_one_is_refused_by_name(
    service_env: dict[str, str], monkeypatch
) -> None:
    # A caller who may write (the development switch signs every request in as a coordinator).
    monkeypatch.setenv("HTK_DEV_OPEN_WRITES", "true")
    async with running(create_service().app()) as client:
        wrong = await client.post("/api/v1/actions/a1/partners/o2/maybe")
        assert wrong.status_code == 422
        assert "decision" in wrong.text
