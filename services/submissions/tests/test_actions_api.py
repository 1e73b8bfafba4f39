"""Creating and reading actions: validation, authorisation, safe writes."""

from typing import Any

from htk_testing.runtime import eventually


async def test_a_draft_is_stored_with_its_event_and_relayed(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    response = await client.post("/actions", json=new_action(), headers=actors.member)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft"
    assert body["completeness"]["score"] < 100
    assert "a link to more information, for example Innokylä" in body["completeness"]["missing"]
    outbox = svc.ctx().db["outbox"]
    stored = await outbox.find_one({"key": body["id"]})
    assert stored["event"]["type"] == "fi.htk.action.drafted.v1"
    assert set(stored["event"]["data"]) == {"kind", "action_id", "organisation_id", "at"}, (
        "no draft content in events"
    )

    async def relayed() -> bool:
        doc = await outbox.find_one({"key": body["id"]})
        return doc is not None and doc["sent_at"] is not None

    await eventually(relayed, timeout=30)


async def test_references_are_checked_against_the_catalogue(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    response = await client.post(
        "/actions",
        json=new_action(
            measures=["1.1.1", "9.9.9", "2.1.1"],
            municipalities=["564", "999"],
            counties=["77"],
            partner_organisation_ids=["o3"],
            contact_member_id="m2",
        ),
        headers=actors.member,
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {
        "measures.1",
        "measures.2",
        "municipalities.1",
        "counties.0",
        "partner_organisation_ids.0",
        "contact_member_id",
    }
    assert "retired" in fields["measures.2"]
    assert await svc.ctx().db["actions"].count_documents({}) == 0


async def test_bad_input_is_a_4xx_naming_the_field(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    cases = [
        (new_action(title=""), "title"),
        (new_action(measures=["banana"]), "measures.0"),
        (new_action(municipalities=["91"]), "municipalities.0"),
        (
            {k: v for k, v in new_action().items() if k != "inequality_reduction"},
            "inequality_reduction",
        ),
        (new_action(surprise=1), "surprise"),
        (new_action(links=[{"url": "javascript:alert(1)"}]), "links.0.url"),
        (new_action(links=[{"url": "ftp://files.example.org/x"}]), "links.0.url"),
        (new_action(start_date="2026-13-01"), "start_date"),
        (new_action(target_groups=["cats"]), "target_groups.0"),
        (new_action(title=["not", "text"]), "title"),
    ]
    for payload, field in cases:
        response = await client.post("/actions", json=payload, headers=actors.member)
        assert response.status_code == 422, (payload, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.json())
    nowhere = await client.post(
        "/actions", json=new_action(municipalities=[]), headers=actors.member
    )
    assert "where the action happens" in nowhere.json()["errors"][0]["message"]
    backwards = await client.post(
        "/actions",
        json=new_action(start_date="2026-05-01", end_date="2026-01-01"),
        headers=actors.member,
    )
    assert backwards.status_code == 422
    malformed = await client.post(
        "/actions",
        content=b'{"title": ',
        headers={**actors.member, "content-type": "application/json"},
    )
    assert malformed.status_code == 422
    huge = await client.post(
        "/actions", json=new_action(description="x" * 2_000_000), headers=actors.member
    )
    assert huge.status_code == 413
    assert huge.json()["errors"][0]["field"] == "body"
    assert await svc.ctx().db["actions"].count_documents({}) == 0


async def test_text_is_cleaned_of_html(service: Any, actors: Any, new_action: Any) -> None:
    _, client = service
    response = await client.post(
        "/actions",
        json=new_action(
            title='Kerho <script>alert("x")</script>nuorille',
            description="Lue [lisää](javascript:alert(1)) ja [Innokylästä](https://innokyla.fi/x) <img src=x onerror=alert(1)>",
        ),
        headers=actors.member,
    )
    assert response.status_code == 201, response.text
    content = response.json()["content"]
    assert content["title"] == "Kerho nuorille"
    assert "javascript" not in content["description"] and "<img" not in content["description"]
    assert "[Innokylästä](https://innokyla.fi/x)" in content["description"]


async def test_who_may_do_what(service: Any, actors: Any, new_action: Any) -> None:
    _, client = service
    assert (await client.post("/actions", json=new_action())).status_code == 401
    forged = {"HTK-User": "m1"}
    assert (await client.post("/actions", json=new_action(), headers=forged)).status_code == 401
    for_other = await client.post(
        "/actions", json=new_action(organisation_id="o2"), headers=actors.member
    )
    assert for_other.status_code == 403
    assert for_other.json()["errors"][0]["field"] == "organisation_id"

    doc = (await client.post("/actions", json=new_action(), headers=actors.member)).json()
    url, version = f"/actions/{doc['id']}", {"If-Match": f'"{doc["version"]}"'}
    # Another organisation's member neither sees the draft nor changes it.
    assert (await client.get(url, headers=actors.other)).status_code == 404
    assert (await client.get(url)).status_code == 404
    assert (
        await client.put(url, json=new_action(), headers={**actors.other, **version})
    ).status_code == 403
    assert (
        await client.post(f"{url}/submit", headers={**actors.other, **version})
    ).status_code == 403
    assert (await client.get(f"{url}/history", headers=actors.other)).status_code == 403
    listed = (await client.get("/actions", headers=actors.other)).json()["items"]
    assert doc["id"] not in [a["id"] for a in listed]
    assert (
        await client.get("/actions", params={"organisation_id": "o1"}, headers=actors.other)
    ).status_code == 403
    # Its own members and coordinators see and edit it; only coordinators publish.
    assert (await client.get(url, headers=actors.admin)).json()["status"] == "draft"
    assert (await client.get(url, headers=actors.coordinator)).json()["status"] == "draft"
    submitted = await client.post(f"{url}/submit", headers={**actors.admin, **version})
    assert submitted.status_code == 200
    version = {"If-Match": submitted.headers["ETag"]}
    assert (
        await client.post(f"{url}/publish", headers={**actors.member, **version})
    ).status_code == 403
    queue = (
        await client.get("/actions", params={"status": "submitted"}, headers=actors.coordinator)
    ).json()
    assert doc["id"] in [a["id"] for a in queue["items"]]


async def test_a_stale_edit_gets_412_and_changes_nothing(
    service: Any, actors: Any, new_action: Any
) -> None:
    _, client = service
    doc = (await client.post("/actions", json=new_action(), headers=actors.member)).json()
    url = f"/actions/{doc['id']}"
    first = await client.put(
        url,
        json=new_action(title="Ensimmäinen muutos"),
        headers={**actors.member, "If-Match": '"1"'},
    )
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    stale = await client.put(
        url, json=new_action(title="Vanha näkymä"), headers={**actors.admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["field"] == "If-Match"
    missing = await client.put(url, json=new_action(title="Ilman versiota"), headers=actors.admin)
    assert missing.status_code == 428
    garbage = await client.put(url, json=new_action(), headers={**actors.admin, "If-Match": "abc"})
    assert garbage.status_code == 422
    assert (await client.get(url, headers=actors.member)).json()["content"][
        "title"
    ] == "Ensimmäinen muutos"


async def test_a_retried_create_makes_one_action(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    headers = {**actors.member, "Idempotency-Key": "lomake-42"}
    first = await client.post("/actions", json=new_action(), headers=headers)
    again = await client.post("/actions", json=new_action(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await svc.ctx().db["actions"].count_documents({}) == 1
    different = await client.post(
        "/actions", json=new_action(title="Toinen toimenpide"), headers=headers
    )
    assert different.status_code == 422
    assert different.json()["errors"][0]["field"] == "Idempotency-Key"
    # The same key from another member is another request.
    other = await client.post(
        "/actions", json=new_action(), headers={**actors.admin, "Idempotency-Key": "lomake-42"}
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


async def test_saving_unchanged_makes_no_new_version(
    service: Any, actors: Any, new_action: Any
) -> None:
    _, client = service
    doc = (await client.post("/actions", json=new_action(), headers=actors.member)).json()
    url = f"/actions/{doc['id']}"
    same = await client.put(url, json=new_action(), headers={**actors.member, "If-Match": '"1"'})
    assert same.status_code == 200 and same.headers["ETag"] == '"1"'
    history = (await client.get(f"{url}/history", headers=actors.member)).json()["items"]
    assert [v["step"] for v in history] == ["create"]
    stale = await client.put(url, json=new_action(), headers={**actors.member, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert same.json()["completeness"]["checks"]["contact"] is True
    assert same.json()["completeness"]["checks"]["dates"] is False


async def test_actions_and_history_page_by_cursor(
    service: Any, actors: Any, new_action: Any
) -> None:
    _, client = service
    made = []
    for i in range(5):
        created = await client.post(
            "/actions", json=new_action(title=f"Toimenpide {i}"), headers=actors.member
        )
        made.append(created.json()["id"])
    seen: list[str] = []
    params: dict[str, Any] = {"organisation_id": "o1", "limit": 2}
    while True:
        page = (await client.get("/actions", params=params, headers=actors.member)).json()
        assert set(page) == {"items", "next_cursor", "limit"} and len(page["items"]) <= 2
        seen += [a["id"] for a in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == sorted(seen) and set(made) <= set(seen) and len(seen) == len(set(seen))
    for bad in ({"after": made[0]}, {"cursor": "x"}, {"limit": 500}):
        refused = await client.get("/actions", params=bad, headers=actors.member)
        assert refused.status_code == 422, (bad, refused.text)

    history = await client.get(
        f"/actions/{made[0]}/history", params={"limit": 1}, headers=actors.member
    )
    assert history.status_code == 200, history.text
    assert [v["step"] for v in history.json()["items"]] == ["create"]
