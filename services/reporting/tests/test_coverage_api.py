"""Coverage figures by plan node and place, honest categories, drill-down, history, pipeline."""

from datetime import UTC, datetime, timedelta

from htk_reporting.main import create_service
from htk_testing.reporting_events import action_event, example_plan, organisation_event
from htk_testing.runtime import running, user_headers

NOW = datetime.now(UTC)


def rows_by_code(body: dict) -> dict[str, dict]:
    return {r["code"]: r for r in body["rows"]}


async def test_figures_by_node_place_and_category(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    service = create_service()
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan())
        await p.apply_organisation(organisation_event("o1", 1, "ngo"))
        await p.apply(
            action_event(
                "published", "a1", 1, ["1.1.1"], at=NOW - timedelta(days=20),
                organisation_id="o1", municipalities=["091"], target_groups=["children"],
            )
        )  # fmt: skip
        await p.apply(
            action_event("published", "a2", 1, ["1.1.2"], organisation_id="o2", national=True)
        )
        await p.apply(
            action_event(
                "published", "a3", 1, ["2.1.1"], organisation_id="o1", counties=["09"],
                confirmed_at=NOW - timedelta(days=420),
            )
        )  # fmt: skip
        await p.apply(action_event("submitted", "a4", 1, organisation_id="o1"))

        body = (await client.get("/coverage")).json()
        assert body["plan_version"] == 1
        rows = rows_by_code(body)
        assert rows["*"]["actions"] == 3
        sub = rows["1.1"]
        assert (sub["actions"], sub["organisations"], sub["municipalities"]) == (2, 2, 1)
        # "No data" is a category of its own, never folded into a count of zero.
        assert sub["by_target_group"] == {"children": 1, "no_data": 1}
        assert sub["by_org_type"] == {"ngo": 1, "no_data": 1}
        assert rows["2.2"]["needs_push"] == "no_action"
        assert rows["2.1"]["needs_push"] == "no_recent_update"
        assert rows["1.1"]["needs_push"] is None
        assert rows["2.1"]["freshness"] == {"fresh": 0, "ageing": 0, "stale": 1}

        # National actions stay apart from municipal figures.
        places = (
            await client.get("/coverage/places", params={"level": "municipality", "county": "90"})
        ).json()
        helsinki = rows_by_code(places)["091"]
        assert (helsinki["actions"], helsinki["national_actions"]) == (1, 1)
        counties = rows_by_code((await client.get("/coverage/places")).json())
        assert counties["national"]["actions"] == 1
        assert counties["90"]["actions"] == 1 and counties["90"]["municipalities"] == 1
        assert counties["09"]["county_wide"] == 1 and counties["09"]["municipalities"] == 0
        assert counties["01"]["actions"] == 0

        # Every figure opens to the actions behind it.
        behind = await client.get(
            "/coverage/actions",
            params={"node": "1.1", "facet": "target_group", "value": "no_data"},
        )
        assert [a["action_id"] for a in behind.json()["items"]] == ["a2"]
        stale = await client.get("/coverage/actions", params={"freshness": "stale"})
        assert [a["action_id"] for a in stale.json()["items"]] == ["a3"]
        url = rows["1.1"]["actions_url"]
        assert {a["action_id"] for a in (await client.get(url)).json()["items"]} == {"a1", "a2"}
        # One page at a time, by cursor: every action once, and how many there are.
        first = (await client.get("/coverage/actions", params={"limit": 2})).json()
        assert len(first["items"]) == 2 and first["total"] == 3 and first["next_cursor"]
        rest = await client.get(
            "/coverage/actions", params={"limit": 2, "cursor": first["next_cursor"]}
        )
        seen = [a["action_id"] for a in first["items"] + rest.json()["items"]]
        assert seen == ["a1", "a2", "a3"] and rest.json()["next_cursor"] is None

        # History: before a1 was published, nothing under 1.1 yet.
        past = await client.get(
            "/coverage/at", params={"date": (NOW - timedelta(days=30)).date().isoformat()}
        )
        assert rows_by_code(past.json())["1.1"]["actions"] == 0
        series = (await client.get("/coverage/series", params={"node": "1.1"})).json()["rows"]
        assert (series[-1]["actions"], series[-1]["organisations"]) == (2, 2)
        assert series[-1]["municipalities"] == 1
        # One municipality keeps no organisations over time: "no data", not zero.
        local = await client.get(
            "/coverage/series", params={"scope": "municipality:091", "period": "weeks"}
        )
        assert (
            local.json()["rows"][-1]["organisations"],
            local.json()["rows"][-1]["municipalities"],
        ) == (None, 1)

        fresh = (await client.get("/coverage/freshness", params={"by": "county"})).json()
        assert rows_by_code(fresh)["09"]["stale_share"] == 1.0
        assert rows_by_code(fresh)["01"]["stale_share"] is None  # no actions: no data, not 0 %

        bad = await client.get("/coverage", params={"scope": "county:77"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "scope"
        far = await client.get("/coverage/actions", params={"limit": 184467440737095518})
        assert far.status_code == 422 and far.json()["errors"][0]["field"] == "limit"

        # The pipeline is for coordinators only.
        assert (await client.get("/coverage/pipeline")).status_code == 401
        member = user_headers(token_keys[0], member_id="m1")
        assert (await client.get("/coverage/pipeline", headers=member)).status_code == 403
        coordinator = user_headers(token_keys[0], member_id="c1", coordinator=True)
        pipeline = (await client.get("/coverage/pipeline", headers=coordinator)).json()
        assert pipeline["submitted"] == 1
        assert pipeline["waiting_for_review"]["count"] == 1
