"""The coordinators' review queue filtered by organisation, county and measure, and a withdrawal
that keeps its reason in the history."""

from typing import Any

import httpx

Actors = Any


async def _submitted(
    client: httpx.AsyncClient, actors: Actors, new_action: Any, **changes: Any
) -> dict[str, Any]:
    created = await client.post("/actions", json=new_action(**changes), headers=actors.member)
    assert created.status_code == 201, created.text
    doc = created.json()
    submitted = await client.post(
        f"/actions/{doc['id']}/submit",
        headers={**actors.member, "If-Match": f'"{doc["version"]}"'},
    )
    assert submitted.status_code == 200, submitted.text
    return dict(submitted.json())


async def test_the_queue_filters_by_organisation_county_and_measure(
    service: Any, actors: Actors, new_action: Any
) -> None:
    _, client = service
    oulu = await _submitted(client, actors, new_action, title="Oulun kohtaamispaikka")
    helsinki = await _submitted(
        client,
        actors,
        new_action,
        title="Helsingin kohtaamispaikka",
        municipalities=["091"],
        measures=["1.1.2"],
    )
    county = await _submitted(
        client,
        actors,
        new_action,
        title="Pohjois-Pohjanmaan hanke",
        municipalities=[],
        counties=["19"],
        measures=["1.1.2"],
    )

    async def queue(**params: str) -> set[str]:
        answer = await client.get(
            "/actions", params={"status": "submitted", **params}, headers=actors.coordinator
        )
        assert answer.status_code == 200, answer.text
        return {a["id"] for a in answer.json()["items"]}

    assert await queue(county="19") == {oulu["id"], county["id"]}  # Oulu is in county 19
    assert await queue(measure="1.1.2") == {helsinki["id"], county["id"]}
    assert await queue(measure="1.1.2", county="19") == {county["id"]}
    assert await queue(organisation_id="o1") == {oulu["id"], helsinki["id"], county["id"]}
    assert await queue(organisation_id="o2") == set()
    refused = await client.get("/actions", params={"county": "99"}, headers=actors.coordinator)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "county"
    bad = await client.get("/actions", params={"measure": "x"}, headers=actors.coordinator)
    assert bad.status_code == 422


async def test_a_withdrawal_keeps_its_reason_and_the_returned_comment_names_who(
    service: Any, actors: Actors, new_action: Any
) -> None:
    _, client = service
    doc = await _submitted(client, actors, new_action)
    returned = await client.post(
        f"/actions/{doc['id']}/return",
        json={"comment": "Lisää linkki Innokylään."},
        headers={**actors.coordinator, "If-Match": f'"{doc["version"]}"'},
    )
    assert returned.status_code == 200, returned.text
    comment = returned.json()["review_comment"]
    assert comment["comment"] == "Lisää linkki Innokylään." and comment["by"] == "c1"
    doc = returned.json()
    for step, who in (("submit", actors.member), ("publish", actors.coordinator)):
        answer = await client.post(
            f"/actions/{doc['id']}/{step}", headers={**who, "If-Match": f'"{doc["version"]}"'}
        )
        assert answer.status_code == 200, answer.text
        doc = answer.json()
    withdrawn = await client.post(
        f"/actions/{doc['id']}/withdraw",
        json={"comment": "Hanke päättyi rahoituksen loputtua."},
        headers={**actors.member, "If-Match": f'"{doc["version"]}"'},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    history = (await client.get(f"/actions/{doc['id']}/history", headers=actors.member)).json()
    last = history["items"][-1]
    assert (last["step"], last["by"], last["comment"]) == (
        "withdraw",
        "m1",
        "Hanke päättyi rahoituksen loputtua.",
    )
