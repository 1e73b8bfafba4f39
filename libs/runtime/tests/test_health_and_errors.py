from fastapi import APIRouter
from pydantic import BaseModel, Field

from htk_runtime.errors import DomainError
from htk_runtime.service import Service
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import eventually, running


class Thing(BaseModel):
    name: str = Field(min_length=2)


router = APIRouter()


@router.post("/things")
async def make(thing: Thing) -> Thing:
    if thing.name == "taken":
        raise DomainError(409, "That name is taken", field="name")
    return thing


async def test_ready_when_database_and_broker_answer(service_env: dict[str, str]) -> None:
    app = Service(ServiceSettings(), title="t", routers=[router]).app()
    async with running(app) as client:
        assert (await client.get("/health/live")).status_code == 200

        async def ready() -> bool:
            return (await client.get("/health/ready")).status_code == 200

        await eventually(ready, timeout=20)
        body = (await client.get("/health/ready")).json()
        assert body["checks"] == {"database": "ok", "broker": "ok"}


async def test_not_ready_when_the_database_is_away(
    service_env: dict[str, str], monkeypatch
) -> None:
    monkeypatch.setenv(
        "HTK_MONGO_URI", "mongodb://127.0.0.1:1/?directConnection=true&serverSelectionTimeoutMS=300"
    )
    app = Service(ServiceSettings(), title="t", use_broker=False).app()
    async with running(app) as client:
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "unavailable"


async def test_errors_name_the_field(service_env: dict[str, str]) -> None:
    app = Service(ServiceSettings(), title="t", routers=[router], use_broker=False).app()
    async with running(app) as client:
        bad = await client.post("/things", json={"name": "x"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "name"
        assert "name" in bad.json()["message"]
        malformed = await client.post(
            "/things", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 422
        taken = await client.post("/things", json={"name": "taken"})
        assert taken.status_code == 409
        assert taken.json() == {
            "message": "That name is taken",
            "errors": [{"field": "name", "message": "That name is taken"}],
        }


async def test_a_database_outage_is_a_503_not_a_500(
    service_env: dict[str, str], monkeypatch
) -> None:
    from fastapi import Request

    outage_router = APIRouter()

    @outage_router.get("/count")
    async def count(request: Request) -> dict[str, int]:
        db = request.app.state.service.ctx().db
        return {"n": await db["things"].count_documents({})}

    monkeypatch.setenv(
        "HTK_MONGO_URI", "mongodb://127.0.0.1:1/?directConnection=true&serverSelectionTimeoutMS=300"
    )
    app = Service(ServiceSettings(), title="t", routers=[outage_router], use_broker=False).app()
    async with running(app) as client:
        response = await client.get("/count")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "database" in response.json()["message"]
