from pathlib import Path

from htk_catalogue.main import create_service
from htk_runtime.testing import running

REPO = Path(__file__).resolve().parents[3]


async def test_plan_and_geography_are_served(service_env: dict[str, str], monkeypatch) -> None:
    monkeypatch.setenv("HTK_CATALOGUE_DATA_DIR", str(REPO / "data"))
    monkeypatch.setenv("HTK_CATALOGUE_PLAN_FILE", str(REPO / "data/plan/example-plan.csv"))
    async with running(create_service().app()) as client:
        plan = (await client.get("/plan")).json()["priorities"]
        assert [p["code"] for p in plan] == ["1", "2", "3", "4"]
        assert plan[0]["name"]["fi"] == "Kaikille mahdollisuus osallisuuteen"
        assert plan[0]["example"] is False
        assert all(sub["example"] for p in plan for sub in p["children"])
        municipalities = (await client.get("/geography/municipalities")).json()
        assert len(municipalities) == 308
        helsinki = next(m for m in municipalities if m["code"] == "091")
        assert helsinki["county_code"] == "90" and helsinki["name_sv"] == "Helsingfors"
        assert len((await client.get("/geography/counties")).json()) == 23
