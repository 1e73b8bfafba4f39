"""Joining a proposal instead of duplicating it, the coordinators' list of everything waiting,
an admin managing members, the events that tell people about requests and decisions, and
registrations that lapse when nobody confirms them."""

from datetime import timedelta
from typing import Any

import httpx

from htk_catalogue.expiry import expire_registrations
from htk_catalogue.transactions import now

Running = Any  # the `cat` fixture of conftest.py

ORG = {
    "name_fi": "Pohjanmaan Kyläyhdistys ry",
    "name_sv": "Österbottens byaförening rf",
    "type": "ngo",
    "business_id": "0245437-2",
    "municipality": "499",
    "website": "https://kyla.example.org",
}


async def _register(cat: Running, email: str, **body: Any) -> httpx.Response:
    payload = {"name": email.split("@")[0].title(), "email": email, "language": "sv"}
    return await cat.client.post("/registrations", json={**payload, **body})


async def _requests(cat: Running) -> list[dict[str, Any]]:
    """The events on catalogue.requests.v1 so far (as written to the outbox), oldest first."""
    topic = cat.catalogue.writer.topics.requests
    docs = await cat.catalogue.writer.outbox.collection.find({"topic": topic}).to_list()
    return [d["event"] for d in sorted(docs, key=lambda d: d["_id"])]


async def test_a_pending_proposal_is_named_joined_listed_and_decided_with_events(
    cat: Running,
) -> None:
    first = await _register(cat, "anna@example.org", new_organisation=ORG)
    assert first.status_code == 201, first.text
    anna, org = first.json()["member"], first.json()["organisation"]
    # Nobody is asked to decide before Anna confirms her address.
    assert await _requests(cat) == []
    confirmed = await cat.client.post(
        "/members/me/confirmation", headers=cat.as_user(member_id=anna["id"])
    )
    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True
    again = await cat.client.post(
        "/members/me/confirmation", headers=cat.as_user(member_id=anna["id"])
    )
    assert again.json()["version"] == confirmed.json()["version"]
    [proposed] = await _requests(cat)
    assert proposed["type"] == "fi.htk.organisation.proposed.v1"
    assert proposed["data"]["member_id"] == anna["id"]
    assert proposed["data"]["language"] == "sv"
    assert proposed["data"]["business_id"] == "0245437-2"
    assert proposed["data"]["deciders"] == []  # the coordinators

    # A colleague types the same Business ID: the answer names the proposal to join.
    duplicate = await _register(
        cat, "bertil@example.org", new_organisation={**ORG, "name_fi": "Toinen nimi"}
    )
    assert duplicate.status_code == 409
    [error] = duplicate.json()["errors"]
    assert error["field"] == "new_organisation.business_id"
    assert error["organisation_id"] == org["id"]
    assert error["organisation_name"] == ORG["name_fi"]
    assert error["organisation_status"] == "proposed"
    joined = await _register(cat, "bertil@example.org", organisation_id=org["id"])
    assert joined.status_code == 201, joined.text
    bertil = joined.json()["member"]
    # Bertil sees the proposal he asked to join; nobody else does before it is approved.
    seen = await cat.client.get(
        f"/organisations/{org['id']}", headers=cat.as_user(member_id=bertil["id"])
    )
    assert seen.status_code == 200 and seen.json()["name_fi"] == ORG["name_fi"]
    hidden = await cat.client.get(f"/organisations/{org['id']}", headers=cat.as_user(member_id="x"))
    assert hidden.status_code == 404
    await cat.client.post("/members/me/confirmation", headers=cat.as_user(member_id=bertil["id"]))
    requested = (await _requests(cat))[-1]
    assert requested["type"] == "fi.htk.membership.requested.v1"
    assert requested["data"]["coordinators_decide"] is True
    assert requested["data"]["deciders"] == []

    # The coordinators' one list holds both, with proposer, Business ID and municipality.
    assert (
        await cat.client.get("/requests", headers=cat.as_user(member_id="x"))
    ).status_code == 403
    waiting = (await cat.client.get("/requests", headers=cat.coordinator())).json()
    [listed] = waiting["organisations"]
    assert listed["proposer"]["email"] == "anna@example.org"
    assert (listed["business_id"], listed["municipality"]) == ("0245437-2", "499")
    [membership] = waiting["memberships"]
    assert membership["member"]["id"] == bertil["id"]
    assert membership["organisation"]["status"] == "proposed"
    assert membership["organisation"]["has_admin"] is False

    decided = await cat.client.post(
        f"/organisations/{org['id']}/decision",
        json={"status": "approved"},
        headers=cat.coordinator("c9"),
    )
    assert decided.status_code == 200, decided.text
    event = (await _requests(cat))[-1]
    assert event["type"] == "fi.htk.organisation.decided.v1"
    assert event["data"]["decision"] == "approved" and event["data"]["decided_by"] == "c9"
    assert event["data"]["member_id"] == anna["id"]
    waiting = (await cat.client.get("/requests", headers=cat.coordinator())).json()
    assert waiting["organisations"] == []
    assert waiting["memberships"][0]["organisation"]["has_admin"] is True

    # Anna, now its admin, approves Bertil, makes him admin, and cannot leave it adminless.
    admin = cat.as_user(member_id=anna["id"], organisations={org["id"]: "admin"})
    base = f"/organisations/{org['id']}/memberships"
    ok = await cat.client.post(
        f"{base}/{bertil['id']}/decision", json={"approve": True}, headers=admin
    )
    assert ok.status_code == 200, ok.text
    event = (await _requests(cat))[-1]
    assert event["type"] == "fi.htk.membership.decided.v1"
    assert (event["data"]["decision"], event["data"]["decided_by"]) == ("approved", anna["id"])
    assert event["data"]["language"] == "sv"
    last_admin = await cat.client.put(
        f"{base}/{anna['id']}/role", json={"role": "member"}, headers=admin
    )
    assert last_admin.status_code == 409
    assert (await cat.client.delete(f"{base}/{anna['id']}", headers=admin)).status_code == 409
    made = await cat.client.put(
        f"{base}/{bertil['id']}/role", json={"role": "admin"}, headers=admin
    )
    assert made.status_code == 200
    assert (await _requests(cat))[-1]["data"]["decision"] == "role_changed"
    removed = await cat.client.delete(f"{base}/{bertil['id']}", headers=admin)
    assert removed.status_code == 204
    assert (await _requests(cat))[-1]["data"]["decision"] == "removed"
    members = (await cat.client.get(base, headers=admin)).json()["items"]
    assert [m["member_id"] for m in members] == [anna["id"]]
    outsider = cat.as_user(member_id=bertil["id"], organisations={org["id"]: "member"})
    assert (await cat.client.delete(f"{base}/{anna['id']}", headers=outsider)).status_code == 403


async def test_a_rejected_proposal_refuses_those_waiting_to_join_it(cat: Running) -> None:
    org = (await _register(cat, "anna@example.org", new_organisation=ORG)).json()["organisation"]
    bertil = (await _register(cat, "bertil@example.org", organisation_id=org["id"])).json()
    rejected = await cat.client.post(
        f"/organisations/{org['id']}/decision",
        json={"status": "rejected", "reason": "ei kuulu"},
        headers=cat.coordinator(),
    )
    assert rejected.status_code == 200
    member = await cat.catalogue.members.get(bertil["member"]["id"])
    assert member["memberships"][0]["status"] == "rejected"
    # The name is free again.
    again = await _register(cat, "cecilia@example.org", new_organisation=ORG)
    assert again.status_code == 201, again.text


async def test_unconfirmed_registrations_expire_and_free_the_address_and_the_name(
    cat: Running,
) -> None:
    lapsing = await _register(cat, "anna@example.org", new_organisation=ORG)
    kept = await _register(
        cat, "bertil@example.org", new_organisation={**ORG, "name_fi": "Muu", "business_id": None}
    )
    await cat.client.post(
        "/members/me/confirmation", headers=cat.as_user(member_id=kept.json()["member"]["id"])
    )
    members, organisations = cat.catalogue.members, cat.catalogue.organisations
    ttl = timedelta(days=7)
    assert await expire_registrations(members, organisations, ttl) == 0
    assert (
        await expire_registrations(members, organisations, ttl, at=now() + timedelta(days=8)) == 1
    )

    assert await members.by_email("anna@example.org") is None
    org = await organisations.get(lapsing.json()["organisation"]["id"])
    assert org["status"] == "rejected"
    event = (await _requests(cat))[-1]
    assert event["type"] == "fi.htk.organisation.decided.v1"
    assert (event["data"]["decision"], event["data"]["decided_by"]) == ("expired", "expiry")
    assert await members.by_email("bertil@example.org") is not None
    # The address and the name can be registered again.
    again = await _register(cat, "anna@example.org", new_organisation=ORG)
    assert again.status_code == 201, again.text
