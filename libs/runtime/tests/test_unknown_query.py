"""A misspelt query parameter is refused with its name, never ignored."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from htk_runtime.service import Service
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import running

router = APIRouter()


def paging(limit: Annotated[int, Query(ge=1)] = 10) -> int:
    return limit


@router.get("/things")
async def things(
    limit: Annotated[int, Depends(paging)],
    state: Annotated[list[str] | None, Query()] = None,
    sub_goal: Annotated[str | None, Query(alias="sub-goal")] = None,
) -> dict[str, object]:
    return {"limit": limit, "state": state, "sub_goal": sub_goal}


async def test_declared_parameters_pass_and_unknown_ones_are_named(
    service_env: dict[str, str],
) -> None:
    app = Service(ServiceSettings(), title="t", routers=[router], use_broker=False).app()
    async with running(app) as client:
        ok = await client.get("/things?limit=3&state=a&state=b&sub-goal=x")
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"limit": 3, "state": ["a", "b"], "sub_goal": "x"}

        bad = await client.get("/things?status=published&municipality_codes=091&limit=3")
        assert bad.status_code == 422
        body = bad.json()
        assert [e["field"] for e in body["errors"]] == ["municipality_codes", "status"]
        assert "limit, state, sub-goal" in body["message"]


async def test_a_service_may_leave_the_query_to_its_routes(service_env: dict[str, str]) -> None:
    app = Service(
        ServiceSettings(), title="t", routers=[router], use_broker=False, strict_query=False
    ).app()
    async with running(app) as client:
        assert (await client.get("/things?lang=sv")).status_code == 200
