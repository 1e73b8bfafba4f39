"""Partners join an existing action instead of describing the same work twice."""

from typing import Any


async def published(client: Any, actors: Any, new_action: Any) -> dict[str, Any]:
    created = await client.post("/actions", json=new_action(), headers=actors.member)
    submitted = await client.post(
        f"/actions/{created.json()['id']}/submit",
        headers={**actors.member, "If-Match": created.headers["ETag"]},
    )
    done = await client.post(
        f"/actions/{created.json()['id']}/publish",
        headers={**actors.coordinator, "If-Match": submitted.headers["ETag"]},
    )
    assert done.status_code == 200, done.text
    return done.json() | {"etag": done.headers["ETag"]}


async def test_an_organisation_joins_as_partner_when_the_owner_approves(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    action = await published(client, actors, new_action)
    url = f"/actions/{action['id']}/partners"
    assert (
        await client.post(url, json={"organisation_id": "o1"}, headers=actors.other)
    ).status_code == 403
    assert (await client.post(url, json={"organisation_id": "o2"})).status_code == 401
    own = await client.post(url, json={"organisation_id": "o1"}, headers=actors.member)
    assert own.status_code == 409
    asked = await client.post(url, json={"organisation_id": "o2"}, headers=actors.other)
    assert asked.status_code == 202 and asked.json()["partner_request"]["status"] == "pending"

    current = await client.get(f"/actions/{action['id']}", headers=actors.member)
    assert current.json()["partner_requests"]["o2"]["status"] == "pending"
    etag = current.headers["ETag"]
    refused = await client.post(f"{url}/o2/approve", headers={**actors.other, "If-Match": etag})
    assert refused.status_code == 403, "the asking side cannot approve itself"
    approved = await client.post(f"{url}/o2/approve", headers={**actors.admin, "If-Match": etag})
    assert approved.status_code == 200, approved.text
    assert approved.json()["content"]["partner_organisation_ids"] == ["o2"]
    public = (await client.get(f"/actions/{action['id']}")).json()
    assert public["partner_organisation_ids"] == ["o2"]
    again = await client.post(
        f"{url}/o2/approve", headers={**actors.admin, "If-Match": approved.headers["ETag"]}
    )
    assert again.status_code == 409
    updated = (
        await svc.ctx()
        .db["outbox"]
        .find_one({"key": action["id"], "event.type": "fi.htk.action.updated.v1"})
    )
    assert updated["event"]["data"]["action"]["partner_organisation_ids"] == ["o2"]


async def test_a_draft_cannot_be_joined_and_duplicates_degrade_gracefully(
    service: Any, actors: Any, new_action: Any
) -> None:
    _, client = service
    draft = (await client.post("/actions", json=new_action(), headers=actors.member)).json()
    joined = await client.post(
        f"/actions/{draft['id']}/partners", json={"organisation_id": "o2"}, headers=actors.other
    )
    assert joined.status_code == 404
    # The search service is not running in this test: drafting still works, and says so.
    duplicates = await client.get(
        f"/actions/{draft['id']}/possible-duplicates", headers=actors.member
    )
    assert duplicates.status_code == 200
    assert duplicates.json() == {"available": False, "actions": []}
    assert (
        await client.get(f"/actions/{draft['id']}/possible-duplicates", headers=actors.other)
    ).status_code == 403


async def test_requests_and_decisions_are_events_for_those_who_decide_and_ask(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    action = await published(client, actors, new_action)
    url = f"/actions/{action['id']}/partners"
    asked = await client.post(url, json={"organisation_id": "o2"}, headers=actors.other)
    again = await client.post(url, json={"organisation_id": "o2"}, headers=actors.other)
    assert asked.status_code == again.status_code == 202
    outbox = svc.ctx().db["outbox"]
    requested = await outbox.find(
        {"key": action["id"], "event.type": "fi.htk.partnership.requested.v1"}
    ).to_list()
    assert len(requested) == 1, "asking again while pending announces nothing new"
    assert requested[0]["topic"] == "submissions.partnerships.v1"
    data = requested[0]["event"]["data"]
    assert (data["owner_organisation_id"], data["partner_organisation_id"]) == ("o1", "o2")
    assert data["requested_by"] == "m2" and data["title"] == action["content"]["title"]

    waiting = await client.get(
        "/actions", params={"organisation_id": "o1", "pending_partners": "true"},
        headers=actors.admin,
    )  # fmt: skip
    assert [a["id"] for a in waiting.json()["items"]] == [action["id"]]
    etag = (await client.get(f"/actions/{action['id']}", headers=actors.admin)).headers["ETag"]
    by_member = await client.post(f"{url}/o2/reject", headers={**actors.member, "If-Match": etag})
    assert by_member.status_code == 403, "a plain member of the owner does not decide"
    rejected = await client.post(f"{url}/o2/reject", headers={**actors.admin, "If-Match": etag})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["content"]["partner_organisation_ids"] == []
    assert rejected.json()["pending_partners"] == []
    decided = await outbox.find_one(
        {"key": action["id"], "event.type": "fi.htk.partnership.decided.v1"}
    )
    assert decided["topic"] == "submissions.partnerships.v1"
    assert decided["event"]["data"]["decision"] == "rejected"
    assert decided["event"]["data"]["decided_by"] == "a1"
    assert decided["event"]["data"]["requested_by"] == "m2"
    waiting = await client.get(
        "/actions", params={"organisation_id": "o1", "pending_partners": "true"},
        headers=actors.admin,
    )  # fmt: skip
    assert waiting.json()["items"] == []
