"""Joining, proposing organisations, approvals, and refusals that name the field."""

from typing import Any

import httpx

Running = Any  # the `cat` fixture of conftest.py

ORG = {"name_fi": "Kyläyhdistys Esimerkki ry", "type": "ngo", "municipality": "564"}


def fields(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


async def _approved_org(cat: Running, **changes: Any) -> str:
    response = await cat.client.post(
        "/organisations", json={**ORG, **changes}, headers=cat.coordinator()
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "approved"
    return str(response.json()["id"])


async def _register(cat: Running, **body: Any) -> httpx.Response:
    payload = {"name": "Maija Meikäläinen", "email": "maija@example.org", "language": "fi"}
    return await cat.client.post("/registrations", json={**payload, **body})


async def test_joining_an_organisation_needs_its_admin_or_a_coordinator(cat: Running) -> None:
    org = await _approved_org(cat)
    joined = await _register(cat, organisation_id=org)
    assert joined.status_code == 201, joined.text
    member = joined.json()["member"]
    assert member["memberships"][0]["status"] == "pending"
    claims = (await cat.client.post("/members/claims", json={"email": "MAIJA@example.org"})).json()
    assert claims["member_id"] == member["id"] and claims["organisations"] == {}

    decision = f"/organisations/{org}/memberships/{member['id']}/decision"
    outsider = cat.as_user(member_id="x", organisations={"other": "admin"})
    plain_member = cat.as_user(member_id="y", organisations={org: "member"})
    for headers in (outsider, plain_member):
        refused = await cat.client.post(decision, json={"approve": True}, headers=headers)
        assert refused.status_code == 403

    admin = cat.as_user(member_id="a1", organisations={org: "admin"})
    pending = await cat.client.get(
        f"/organisations/{org}/memberships?status=pending", headers=admin
    )
    assert [p["member_id"] for p in pending.json()["items"]] == [member["id"]]
    approved = await cat.client.post(decision, json={"approve": True}, headers=admin)
    assert approved.status_code == 200, approved.text
    assert approved.json()["memberships"][0]["status"] == "approved"
    again = await cat.client.post(decision, json={"approve": True}, headers=admin)
    assert again.status_code == 409
    claims = (await cat.client.post("/members/claims", json={"email": "maija@example.org"})).json()
    assert claims["organisations"] == {org: "member"}

    # A member asks to join a second organisation; a coordinator rejects it.
    other = await _approved_org(cat, name_fi="Toinen yhdistys", municipality="091")
    me = cat.as_user(member_id=member["id"], organisations={org: "member"})
    asked = await cat.client.post(
        "/members/me/memberships", json={"organisation_id": other}, headers=me
    )
    assert asked.status_code == 201, asked.text
    rejected = await cat.client.post(
        f"/organisations/{other}/memberships/{member['id']}/decision",
        json={"approve": False},
        headers=cat.coordinator(),
    )
    statuses = {m["organisation_id"]: m["status"] for m in rejected.json()["memberships"]}
    assert statuses == {org: "approved", other: "rejected"}


async def test_a_proposed_organisation_is_approved_by_a_coordinator_with_its_proposer_as_admin(
    cat: Running,
) -> None:
    proposal = {**ORG, "name_fi": "Uusi Järjestö ry", "business_id": "0245437-2"}
    registered = await _register(cat, new_organisation=proposal)
    assert registered.status_code == 201, registered.text
    member, org = registered.json()["member"], registered.json()["organisation"]
    assert org["status"] == "proposed"
    assert member["memberships"] == [
        {
            **member["memberships"][0],
            "organisation_id": org["id"],
            "role": "admin",
            "status": "pending",
        }
    ]
    # Not listed publicly until approved; coordinators see it.
    public = (await cat.client.get("/organisations")).json()
    assert org["id"] not in [o["id"] for o in public["items"]]
    proposed = (
        await cat.client.get("/organisations?status=proposed", headers=cat.coordinator())
    ).json()
    assert [o["id"] for o in proposed["items"]] == [org["id"]]
    refused = await cat.client.get("/organisations?status=proposed")
    assert refused.status_code == 403

    not_coordinator = cat.as_user(member_id=member["id"])
    decision = f"/organisations/{org['id']}/decision"
    assert (
        await cat.client.post(decision, json={"status": "approved"}, headers=not_coordinator)
    ).status_code == 403
    approved = await cat.client.post(
        decision, json={"status": "approved"}, headers=cat.coordinator()
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    claims = (await cat.client.post("/members/claims", json={"email": "maija@example.org"})).json()
    assert claims["organisations"] == {org["id"]: "admin"}
    public = (await cat.client.get("/organisations")).json()
    assert org["id"] in [o["id"] for o in public["items"]]


async def test_likely_duplicates_are_caught_when_proposed(cat: Running) -> None:
    await _approved_org(cat, name_fi="Mieli ry", business_id="0245437-2")
    same_id = await _register(
        cat, new_organisation={**ORG, "name_fi": "Aivan muu", "business_id": " 0245437-2"}
    )
    assert same_id.status_code == 409
    assert fields(same_id) == ["new_organisation.business_id"]
    assert "Mieli ry" in same_id.json()["message"]
    same_name = await _register(cat, new_organisation={**ORG, "name_fi": "MIELI  r.y."})
    assert same_name.status_code == 409 and fields(same_name) == ["new_organisation.name_fi"]
    direct = await cat.client.post(
        "/organisations", json={**ORG, "name_fi": "mieli"}, headers=cat.coordinator()
    )
    assert direct.status_code == 409 and fields(direct) == ["name_fi"]
    # Nothing was stored by the refused registrations.
    assert await cat.catalogue.members.members.count_documents({}) == 0


async def test_invalid_business_id_municipality_or_email_is_a_422_naming_the_field(
    cat: Running,
) -> None:
    coordinator = cat.coordinator()
    cases = [
        ("/organisations", {**ORG, "business_id": "0245437-3"}, "business_id"),
        ("/organisations", {**ORG, "municipality": "999"}, "municipality"),
        ("/organisations", {**ORG, "municipality": "91"}, "municipality"),
        ("/organisations", {**ORG, "county": "77"}, "county"),
        ("/organisations", {**ORG, "municipality": "091", "county": "01"}, "county"),
        ("/organisations", {**ORG, "website": "not a url"}, "website"),
        ("/organisations", {**ORG, "type": "club"}, "type"),
    ]
    for path, body, field in cases:
        response = await cat.client.post(path, json=body, headers=coordinator)
        assert response.status_code == 422, (body, response.text)
        assert fields(response) == [field], (body, response.json())

    org = await _approved_org(cat)
    registrations = [
        ({"email": "maija.example.org", "organisation_id": org}, "email"),
        ({"email": "maija@example", "organisation_id": org}, "email"),
        ({"email": "maija@example.org", "language": "de", "organisation_id": org}, "language"),
        (
            {"new_organisation": {**ORG, "name_fi": "Uusi", "business_id": "1234567-8"}},
            "new_organisation.business_id",
        ),
        (
            {"new_organisation": {**ORG, "name_fi": "Uusi", "municipality": "000"}},
            "new_organisation.municipality",
        ),
        ({}, "organisation_id"),
        ({"organisation_id": "nope"}, "organisation_id"),
    ]
    for body, field in registrations:
        response = await _register(cat, **body)
        assert response.status_code == 422, (body, response.text)
        assert fields(response) == [field], (body, response.json())
    assert await cat.catalogue.members.members.count_documents({}) == 0

    assert (await _register(cat, organisation_id=org)).status_code == 201
    taken = await _register(cat, organisation_id=org, email="Maija@Example.ORG")
    assert taken.status_code == 409 and fields(taken) == ["email"]


async def test_a_member_downloads_their_data_and_erasure_removes_it(cat: Running) -> None:
    org = await _approved_org(cat)
    member = (await _register(cat, organisation_id=org)).json()["member"]
    me = cat.as_user(member_id=member["id"])
    download = await cat.client.get("/members/me/export", headers=me)
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert data["profile"]["email"] == "maija@example.org"
    assert data["profile"]["memberships"][0]["organisation_name"] == ORG["name_fi"]

    erased = await cat.client.post("/members/me/erasure", headers=me)
    assert erased.status_code == 200, erased.text
    stored = await cat.catalogue.members.members.find_one({"_id": member["id"]})
    assert stored is not None and stored["erased"] is True
    assert "maija" not in repr(stored).lower() and "Meikäläinen" not in repr(stored)
    outbox = await cat.catalogue.writer.outbox.collection.find({"key": member["id"]}).to_list()
    assert [e["event"]["type"] for e in outbox] == ["fi.htk.member.erased.v1"]
    assert "maija" not in repr(outbox).lower()
    assert (await cat.client.get("/members/me", headers=me)).status_code == 404
    assert (
        await cat.client.post("/members/claims", json={"email": "maija@example.org"})
    ).status_code == 404
    # The address is free again.
    assert (await _register(cat, organisation_id=org)).status_code == 201


async def test_lists_page_by_cursor_without_skipping_or_repeating(cat: Running) -> None:
    names = ["Aalto ry", "Beeta ry", "Gamma ry", "Delta ry", "Epsilon ry"]
    for name in names:
        await _approved_org(cat, name_fi=name)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await cat.client.get("/organisations", params=params)).json()
        assert set(page) == {"items", "next_cursor", "limit"} and page["limit"] == 2
        assert len(page["items"]) <= 2
        seen += [o["name_fi"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # Added while paging, before the cursor: never shows up later, nothing is repeated.
        if len(seen) == 2:
            await _approved_org(cat, name_fi="Aaa ry")
    assert seen == sorted(names, key=str.lower)

    members = await cat.client.get("/members", params={"limit": 1}, headers=cat.coordinator())
    assert members.status_code == 200 and members.json()["limit"] == 1
    counties = (await cat.client.get("/geography/counties", params={"limit": 200})).json()
    assert counties["next_cursor"] is None and len(counties["items"]) > 10
    towns = (await cat.client.get("/geography/municipalities", params={"limit": 200})).json()
    rest = await cat.client.get(
        "/geography/municipalities", params={"limit": 200, "cursor": towns["next_cursor"]}
    )
    codes = [m["code"] for m in towns["items"] + rest.json()["items"]]
    assert len(codes) == len(set(codes)) > 300 and codes == sorted(codes)


async def test_bad_cursors_and_limits_are_refused_naming_the_field(cat: Running) -> None:
    for params, field in (
        ({"cursor": "not-a-cursor"}, "cursor"),
        # A forged cursor carrying a query operator instead of a name.
        ({"cursor": "eyJfaWQiOnsiJG5lIjpudWxsfSwibmFtZV9rZXkiOnsiJGd0IjoiIn19"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"offset": 10}, "offset"),
    ):
        refused = await cat.client.get("/organisations", params=params)
        assert refused.status_code == 422, (params, refused.text)
        assert field in refused.text
