"""Place pages and the map: own, county-wide and national actions apart, per 10,000 inhabitants
against a hand-computed example, gaps that follow a plan change, the map's classes and shapes."""

import csv
import io
from pathlib import Path

import pytest

from htk_reporting.main import create_service
from htk_reporting.places.map import breaks, class_of
from htk_testing.reporting_events import action_event, example_plan, plan_event
from htk_testing.runtime import running

# The shared boundary files sit beside the project (../shared/geodata from a checkout; a
# worktree may be one level deeper); they are never copied into it.
SHARED_GEODATA = next(
    (a / "shared" / "geodata" for a in Path(__file__).resolve().parents
     if (a / "shared" / "geodata").is_dir()),
    None,
)  # fmt: skip


async def test_place_pages_per_inhabitant_gaps_and_map(service_env: dict[str, str]) -> None:
    service = create_service()
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan())
        # Alajärvi (005, county 16): two own actions; one county-wide in 16; one national.
        await p.apply(action_event("published", "a1", 1, ["1.1.1"], municipalities=["005"]))
        await p.apply(action_event("published", "a2", 1, ["2.1.1"], municipalities=["005"],
                                   organisation_id="o2"))  # fmt: skip
        await p.apply(action_event("published", "a3", 1, ["1.2.1"], counties=["16"]))
        await p.apply(action_event("published", "a4", 1, ["3.1.1"], national=True))

        body = (await client.get("/places/municipality/005")).json()
        assert body["place"]["names"]["sv"] == "Alajärvi"
        assert body["place"]["population"] == 9078
        assert body["place"]["population_year"] == 2024
        # Hand-computed: 2 actions * 10,000 / 9,078 inhabitants = 2.203 -> 2.2.
        assert body["totals"] == {**body["totals"], "actions": 2, "per_10000": 2.2}
        lists = body["actions"]
        assert [a["action_id"] for a in lists["own"]["rows"]] == ["a1", "a2"]
        assert [a["action_id"] for a in lists["county_wide"]["rows"]] == ["a3"]
        assert [a["action_id"] for a in lists["national"]["rows"]] == ["a4"]
        assert {o["organisation_id"] for o in body["organisations"]} == {"org-1", "o2"}
        rows = {r["code"]: r for r in body["coverage"]}
        # County 16 has 189,929 inhabitants; it counts a1, a2 and a3: 3 * 10,000 / 189,929
        # = 0.158 -> 0.2. The country counts all four among 5,635,971: 0.007 -> 0.0.
        assert rows["1.1"]["actions"] == 1 and rows["1.1"]["per_10000"] == 1.1
        assert rows["1.2"]["actions"] == 0 and rows["1.2"]["county_actions"] == 1
        assert rows["1.2"]["county_per_10000"] == 0.1
        assert rows["3.1"]["country_actions"] == 1
        # Every active sub-goal without an action in Alajärvi is a gap: 1.2, 2.2, 3.1, 3.2,
        # 4.1, 4.2 (the national and county-wide actions do not fill them).
        assert [g["code"] for g in body["gaps"]] == ["1.2", "2.2", "3.1", "3.2", "4.1", "4.2"]
        assert body["series"][-1]["actions"] == 2

        county = (await client.get("/places/county/16")).json()
        assert county["place"]["population"] == 189929
        assert [a["action_id"] for a in county["actions"]["own"]["rows"]] == ["a1", "a2"]
        assert [a["action_id"] for a in county["actions"]["county_wide"]["rows"]] == ["a3"]
        alajarvi = next(x for x in county["parts"] if x["code"] == "005")
        assert alajarvi["actions"] == 2 and alajarvi["url"] == "/places/municipality/005"
        assert len(county["parts"]) == 18

        finland = (await client.get("/places/finland")).json()
        assert finland["place"]["population"] == 5635971
        assert finland["totals"]["actions"] == 4
        assert [a["action_id"] for a in finland["actions"]["national"]["rows"]] == ["a4"]
        assert len(finland["parts"]) == 23

        # After a plan change that retires 1.2 and adds 1.3, the gaps follow the new plan.
        nodes = [{"code": n["code"]} for n in example_plan().data["nodes"]]
        nodes = [n if n["code"] not in ("1.2", "1.2.1", "1.2.2") else {**n, "state": "retired"}
                 for n in nodes] + [{"code": "1.3"}, {"code": "1.3.1"}]  # fmt: skip
        await p.apply_plan(plan_event(2, nodes))
        body = (await client.get("/places/municipality/005")).json()
        assert [g["code"] for g in body["gaps"]] == ["1.3", "2.2", "3.1", "3.2", "4.1", "4.2"]

        assert (await client.get("/places/municipality/999")).status_code == 404
        assert (await client.get("/places/county/55")).status_code == 404

        csv_answer = await client.get("/places/municipality/005", params={"format": "csv"})
        assert csv_answer.status_code == 200
        table = list(csv.DictReader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))
        assert next(r for r in table if r["code"] == "1.1")["per_10000"] == "1.1"

        m = (await client.get("/places/map", params={"measure": "per_10000"})).json()
        assert len(m["rows"]) == 308 and m["shapes"]["kind"] == "dots"
        row = next(r for r in m["rows"] if r["code"] == "005")
        assert row["value"] == 2.2 and row["class"] != "c0"
        assert next(r for r in m["rows"] if r["code"] == "091")["class"] == "c0"
        gaps = (
            await client.get(
                "/places/map", params={"measure": "gaps", "node": "2.1", "level": "county"}
            )
        ).json()
        classes = {r["code"]: r["class"] for r in gaps["rows"]}
        assert classes["16"] == "covered" and classes["01"] == "gap" and len(classes) == 23
        refused = await client.get("/places/map", params={"measure": "gaps"})
        assert refused.status_code == 422 and "node" in refused.text


async def test_map_draws_boundaries_from_the_configured_directory(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if SHARED_GEODATA is None:
        pytest.skip("no shared boundary files beside the project")
    monkeypatch.setenv("HTK_REPORTING_BOUNDARIES_DIR", str(SHARED_GEODATA))
    service = create_service()
    async with running(service.app()) as client:
        await service.ctx().state["projection"].apply_plan(example_plan())
        m = (await client.get("/places/map", params={"level": "county"})).json()
        assert m["shapes"]["kind"] == "boundaries"
        regions = {r["code"]: r for r in m["shapes"]["regions"]}
        assert len(regions) == 23 and regions["90"]["paths"][0].startswith("M")
        assert "Tilastokeskus" in m["attribution"]


def test_classes_are_quartiles_of_the_positive_values() -> None:
    bounds = breaks([0, 1, 2, 3, 4, 5, 6, 7, 8])
    assert bounds == [3, 5, 7, 8]
    assert [class_of(v, bounds) for v in (None, 0, 1, 3, 4, 8)] == [
        "no_data", "c0", "c1", "c1", "c2", "c4"
    ]  # fmt: skip
