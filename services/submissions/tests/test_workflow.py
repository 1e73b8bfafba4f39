"""Every workflow step, allowed and refused, with what the public sees at each point."""

from typing import Any

import httpx

from htk_submissions.main import create_service
from htk_testing.runtime import running

Client = httpx.AsyncClient
Actors = Any


def action(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Ikäihmisten kohtaamispaikka",
        "summary": "Viikoittainen kohtaamispaikka yksin asuville ikäihmisille.",
        "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat.",
        "organisation_id": "o1",
        "contact_member_id": "m1",
        "measures": ["1.1.1", "3.1.1"],
        "municipalities": ["564"],
    }
    return {**base, **changes}


async def create(client: Client, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = await client.post("/actions", json=action(**changes), headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'
    return response.json()


async def step(
    client: Client, doc: dict[str, Any], name: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await client.post(
        f"/actions/{doc['id']}/{name}",
        headers={**headers, "If-Match": f'"{doc["version"]}"'},
        json=body or None,
    )


async def ok(
    client: Client, doc: dict[str, Any], name: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await step(client, doc, name, headers, **body)
    assert response.status_code == 200, response.text
    return response.json()


async def outbox_types(service: Any, action_id: str) -> list[str]:
    docs = await service.ctx().db["outbox"].find({"key": action_id}).sort("_id", 1).to_list()
    return [d["event"]["type"].split(".")[3] for d in docs]


async def test_the_whole_review_cycle(service: Any, actors: Actors) -> None:
    svc, client = service
    doc = await create(client, actors.member)
    assert doc["status"] == "draft" and doc["public"] is None
    assert (await client.get(f"/actions/{doc['id']}")).status_code == 404, (
        "visitors never see drafts"
    )

    doc = await ok(client, doc, "submit", actors.member)
    assert doc["status"] == "submitted"
    doc = await ok(client, doc, "publish", actors.coordinator)
    assert doc["status"] == "published"
    public = (await client.get(f"/actions/{doc['id']}")).json()
    assert public["title"] == "Ikäihmisten kohtaamispaikka"
    assert public["sub_goals"] == ["1.1", "3.1"] and public["priorities"] == ["1", "3"]
    assert "contact_member_id" not in public and "content" not in public

    # An update is reviewed while the published version stays visible.
    edited = await client.put(
        f"/actions/{doc['id']}",
        json=action(title="Ikäihmisten kohtaamispaikka ja retket"),
        headers={**actors.member, "If-Match": f'"{doc["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    doc = edited.json()
    assert doc["status"] == "draft" and doc["public"]["title"] == "Ikäihmisten kohtaamispaikka"
    assert (await client.get(f"/actions/{doc['id']}")).json()[
        "title"
    ] == "Ikäihmisten kohtaamispaikka"

    doc = await ok(client, doc, "submit", actors.member)
    doc = await ok(client, doc, "return", actors.coordinator, comment="Lisää linkki Innokylään")
    assert doc["status"] == "returned"
    assert doc["review_comment"]["comment"] == "Lisää linkki Innokylään"
    edited = await client.put(
        f"/actions/{doc['id']}",
        json=action(
            title="Ikäihmisten kohtaamispaikka ja retket",
            links=[{"url": "https://www.innokyla.fi/fi/toimintamalli/kohtaamispaikka"}],
        ),
        headers={**actors.member, "If-Match": f'"{doc["version"]}"'},
    )
    doc = edited.json()
    doc = await ok(client, doc, "submit", actors.member)
    doc = await ok(client, doc, "publish", actors.coordinator)
    public = (await client.get(f"/actions/{doc['id']}")).json()
    assert public["title"] == "Ikäihmisten kohtaamispaikka ja retket"
    assert public["links"][0]["kind"] == "innokyla"

    doc = await ok(client, doc, "confirm", actors.admin)
    doc = await ok(client, doc, "withdraw", actors.member)
    assert doc["status"] == "withdrawn"
    assert (await client.get(f"/actions/{doc['id']}")).status_code == 404

    assert await outbox_types(svc, doc["id"]) == [
        "drafted",
        "submitted",
        "published",
        "submitted",
        "returned",
        "submitted",
        "updated",
        "updated",
        "withdrawn",
    ]
    versions = [
        e["event"]["aggregateversion"]
        for e in await svc.ctx().db["outbox"].find({"key": doc["id"]}).sort("_id", 1).to_list()
    ]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)

    history = (await client.get(f"/actions/{doc['id']}/history", headers=actors.member)).json()
    steps = [v["step"] for v in history["items"]]
    assert steps[:4] == ["create", "submit", "publish", "edit"]
    assert steps[-2:] == ["confirm", "withdraw"]
    first_edit = next(v["version"] for v in history["items"] if v["step"] == "edit")
    changes = (
        await client.get(
            f"/actions/{doc['id']}/diff",
            params={"from": 1, "to": first_edit},
            headers=actors.member,
        )
    ).json()["changes"]
    assert changes == [
        {
            "field": "title",
            "before": "Ikäihmisten kohtaamispaikka",
            "after": "Ikäihmisten kohtaamispaikka ja retket",
        }
    ]


async def test_refused_steps_say_why(service: Any, actors: Actors) -> None:
    _, client = service
    draft = await create(client, actors.member)
    refused = {
        "publish": (draft, actors.coordinator),
        "return": (draft, actors.coordinator),
        "withdraw": (draft, actors.member),
        "confirm": (draft, actors.member),
    }
    for name, (doc, headers) in refused.items():
        body = {"comment": "ei vielä"} if name == "return" else {}
        response = await step(client, doc, name, headers, **body)
        assert response.status_code == 409, (name, response.text)
        assert response.json()["message"]
    submitted = await ok(client, draft, "submit", actors.member)
    again = await step(client, submitted, "submit", actors.member)
    assert again.status_code == 409
    assert "already been submitted" in again.json()["message"]
    edit = await client.put(
        f"/actions/{submitted['id']}",
        json=action(),
        headers={**actors.member, "If-Match": f'"{submitted["version"]}"'},
    )
    assert edit.status_code == 409
    assert "waiting for review" in edit.json()["message"]


async def test_without_review_submitting_publishes(
    submissions_env: Any, monkeypatch: Any, actors: Actors, seed: Any
) -> None:
    monkeypatch.setenv("HTK_REVIEW_REQUIRED", "false")
    svc = create_service()
    async with running(svc.app()) as client:
        await seed(svc)
        doc = await create(client, actors.member)
        doc = await ok(client, doc, "submit", actors.member)
        assert doc["status"] == "published"
        assert (await client.get(f"/actions/{doc['id']}")).status_code == 200
        assert await outbox_types(svc, doc["id"]) == ["drafted", "submitted", "published"]
