"""Escaped markup stays dead through draft, submit and publish; hidden characters are refused."""

import json
import re
from typing import Any

LIVE = re.compile(r"<[A-Za-z/!?]")


async def test_escaped_markup_never_reaches_the_public_or_events_alive(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    crafted = "&amp;lt;img src=x onerror=alert(1)&amp;gt;Kerho &lt;b&gt;nuorille"
    created = await client.post(
        "/actions",
        json=new_action(
            title=crafted,
            summary=f"{crafted} joka viikko",
            description="[[a](javascript:x)](javascript:alert(1)) &lt;script&gt;x&lt;/script&gt;",
        ),
        headers=actors.member,
    )
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["content"]["title"] == "Kerho nuorille"
    for step, who in (("submit", actors.member), ("publish", actors.coordinator)):
        response = await client.post(
            f"/actions/{doc['id']}/{step}", headers={**who, "If-Match": f'"{doc["version"]}"'}
        )
        assert response.status_code == 200, response.text
        doc = response.json()
    public = (await client.get(f"/actions/{doc['id']}")).json()
    assert public["title"] == "Kerho nuorille", "publishing cleans nothing more: a fixed point"
    assert public["summary"] == "Kerho nuorille joka viikko"
    assert "javascript" not in public["description"]
    assert not LIVE.search(json.dumps(public, ensure_ascii=False)), public
    published = (
        await svc.ctx()
        .db["outbox"]
        .find_one({"key": doc["id"], "event.type": "fi.htk.action.published.v1"})
    )
    assert published is not None
    assert not LIVE.search(json.dumps(published["event"]["data"], ensure_ascii=False))


async def test_hidden_characters_are_a_422_naming_the_field(
    service: Any, actors: Any, new_action: Any
) -> None:
    svc, client = service
    cases = [
        (new_action(title="Kerho\u202enuorille"), "title"),
        (new_action(summary="Viikoittainen kerho\x00 nuorille"), "summary"),
        (new_action(place_detail="\u200b\u200b"), "place_detail"),
        (new_action(description="Lue\u2066 lisää\u2069"), "description"),
        (
            new_action(links=[{"url": "https://innokyla.fi/x", "title": "a\u200fb"}]),
            "links.0.title",
        ),
    ]
    for payload, field in cases:
        response = await client.post("/actions", json=payload, headers=actors.member)
        assert response.status_code == 422, (field, response.text)
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == [field], errors
        assert "invisible" in errors[0]["message"]
    assert await svc.ctx().db["actions"].count_documents({}) == 0
