"""A member's data held by submissions: downloadable by them alone, and after their erasure
they are nobody's contact any more while their organisation's actions stay. (The erasure event
reaching this code through the broker is shown by tests/browser/test_account.py.)"""

from typing import Any


async def test_download_then_erasure_keeps_the_actions_without_the_contact(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    created = await client.post("/actions", json=new_action(), headers=actors.member)
    assert created.status_code == 201
    action_id = created.json()["id"]
    submitted = await client.post(
        f"/actions/{action_id}/submit", headers={**actors.member, "If-Match": '"1"'}
    )
    assert submitted.status_code == 200
    other = await client.post(
        "/actions", json=new_action(contact_member_id="a1"), headers=actors.admin
    )
    assert other.status_code == 201

    mine = (await client.get("/members/me/data", headers=actors.member)).json()
    assert [a["id"] for a in mine["actions_created"]] == [action_id]
    assert [a["id"] for a in mine["contact_of"]] == [action_id]
    assert [s["step"] for s in mine["steps"]] == ["create", "submit"]
    theirs = (await client.get("/members/me/data", headers=actors.admin)).json()
    assert action_id not in [a["id"] for a in theirs["contact_of"]], "only one's own data"
    assert (await client.get("/members/me/data")).status_code == 401

    assert await svc.ctx().state["personal_data"].forget("m1") == 1
    kept = (await client.get(f"/actions/{action_id}", headers=actors.coordinator)).json()
    assert kept["organisation_id"] == "o1" and kept["content"]["contact_member_id"] is None
    assert kept["status"] == "submitted", "the action itself is unchanged"
    history = await svc.ctx().state["store"].history(action_id)
    assert all(v["content"].get("contact_member_id") is None for v in history)
    assert (await client.get("/members/me/data", headers=actors.member)).json()["contact_of"] == []
    untouched = (await client.get(f"/actions/{other.json()['id']}", headers=actors.admin)).json()
    assert untouched["content"]["contact_member_id"] == "a1"
