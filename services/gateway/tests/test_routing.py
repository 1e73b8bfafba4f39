from htk_gateway.main import create_service
from htk_runtime.testing import running


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
