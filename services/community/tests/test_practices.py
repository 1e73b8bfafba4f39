"""Good practices through the service's API on the embedded stack: an organisation's member
shares an experience of a published action, coordinators highlight it, and both go out through
the outbox without the member."""

import json
from typing import Any

import httpx

from htk_runtime.service import Service

# The published action of conftest.seed.
ACTION = "a-1"


def _experience(**over: Any) -> dict[str, Any]:
    body = {
        "action_id": ACTION,
        "organisation_id": "o1",
        "language": "fi",
        "what_worked": "Kyydit toivat mukaan syrjäkylien asukkaat.",
        "what_did_not": "Iltaisin kävijöitä oli vähän.",
        "for_whom": "Yksin asuvat ikäihmiset",
    }
    return {**body, **over}


async def test_members_share_experiences_and_coordinators_highlight_actions(
    service: tuple[Service, httpx.AsyncClient], actors: Any
) -> None:
    svc, client = service
    url = "/practices/experiences"
    assert (await client.post(url, json=_experience(), headers={})).status_code == 401
    # Only for one's own organisation, and only of a published action.
    assert (await client.post(url, json=_experience(), headers=actors.other)).status_code == 403
    absent = await client.post(url, json=_experience(action_id="nope"), headers=actors.member)
    assert absent.status_code == 404 and absent.json()["errors"][0]["field"] == "action_id"
    empty = await client.post(url, json=_experience(for_whom=""), headers=actors.member)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "for_whom"
    made = await client.post(url, json=_experience(), headers=actors.member)
    assert made.status_code == 201, made.text
    assert made.json()["organisation_name"] == "Järjestö o1"
    assert made.json()["action_title"] == "Kohtaamispaikka"
    listed = (await client.get(url, params={"action_id": ACTION})).json()
    assert [e["for_whom"] for e in listed["items"]] == ["Yksin asuvat ikäihmiset"]
    assert (await client.get(url, params={"action_id": "other"})).json()["items"] == []

    highlight = f"/practices/highlights/{ACTION}"
    on = {"highlighted": True, "reason": "Tavoittaa syrjäkylät"}
    assert (await client.put(highlight, json=on, headers=actors.member)).status_code == 403
    assert (await client.get(highlight)).status_code == 404
    done = await client.put(highlight, json=on, headers=actors.coordinator)
    assert done.status_code == 200 and done.json()["highlighted"] is True
    page = (await client.get("/practices/highlights")).json()
    assert [(h["action_id"], h["action_title"]) for h in page["items"]] == [
        (ACTION, "Kohtaamispaikka")
    ]
    off = await client.put(highlight, json={"highlighted": False}, headers=actors.coordinator)
    assert off.status_code == 200
    assert (await client.get("/practices/highlights")).json()["items"] == []
    assert (
        await client.put("/practices/highlights/nope", json=on, headers=actors.coordinator)
    ).status_code == 404

    sent = [d async for d in svc.ctx().db["outbox"].find({"topic": "community.practices.v1"})]
    assert [d["event"]["type"] for d in sent] == [
        "fi.htk.practice.shared.v1",
        "fi.htk.practice.highlighted.v1",
        "fi.htk.practice.highlighted.v1",
    ]
    assert [d["event"]["aggregateversion"] for d in sent[1:]] == [1, 2]
    published = json.dumps([d["event"]["data"] for d in sent])
    assert '"m1"' not in published and '"c1"' not in published
