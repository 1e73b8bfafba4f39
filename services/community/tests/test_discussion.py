"""Discussions on the real embedded database: posting, replies, consent, edit window, delete,
hide with a reason, reports, follows, topics, erasure, limits, and the events they write."""

from typing import Any

import httpx
import pytest

from htk_runtime.service import Service

Running = tuple[Service, httpx.AsyncClient]
Actors = Any
# The published action of conftest.seed.
ACTION = "a-1"


def post(body: str = "Hyvä *idea*", consent: bool = True, **more: Any) -> dict[str, Any]:
    return {"body": body, "consent": consent, **more}


async def outbox(svc: Service) -> list[dict[str, Any]]:
    found = svc.ctx().db["outbox"].find({"topic": "community.discussion.v1"}).sort("_id", 1)
    return [d["event"] for d in await found.to_list()]


async def test_a_member_posts_another_replies_and_visitors_read_it(
    service: Running, actors: Actors
) -> None:
    svc, client = service
    first = await client.post(
        f"/discussions/action/{ACTION}/threads", json=post(), headers=actors.member
    )
    assert first.status_code == 201, first.text
    message = first.json()
    assert message["author"] == {
        "name": "Name m1",
        "former_member": False,
        "organisation_id": "o1",
        "organisation_name": "Järjestö o1",
    }
    assert message["can_edit"] and message["mine"]
    answer = await client.post(
        f"/discussions/threads/{message['thread_id']}/replies",
        json=post("Samaa mieltä"),
        headers=actors.other,
    )
    assert answer.status_code == 201, answer.text

    page = await client.get(f"/discussions/action/{ACTION}/threads")
    assert page.status_code == 200
    body = page.json()
    assert set(body) == {"items", "next_cursor", "limit"}
    [thread] = body["items"]
    assert [m["body"] for m in thread["messages"]] == ["Hyvä *idea*", "Samaa mieltä"]
    assert not any(m["mine"] or m["can_edit"] for m in thread["messages"])

    # The events name members by id only; the posted one keeps the thread together.
    events = await outbox(svc)
    assert [e["type"] for e in events] == ["fi.htk.discussion_message.posted.v1"] * 2
    assert events[1]["data"]["thread_id"] == message["id"]
    text = str(events)
    assert "Name m1" not in text and "@example.org" not in text

    # The writer follows the thread: the notice for the reply goes to m1 (not to m2, the writer).
    notice = await client.get(
        f"/discussions/messages/{answer.json()['id']}/notice", headers=actors.coordinator
    )
    assert notice.status_code == 200
    assert set(notice.json()["followers"]) == {"m1", "m2"}
    assert notice.json()["author_id"] == "m2"
    assert notice.json()["thread_id"] == message["id"]
    assert notice.json()["title"]["fi"] == "Kohtaamispaikka"


async def test_first_post_needs_consent_and_a_membership(service: Running, actors: Actors) -> None:
    _, client = service
    url = "/discussions/measure/1.1.1/threads"
    refused = await client.post(url, json=post(consent=False), headers=actors.member)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "consent"
    assert (await client.post(url, json=post(), headers=actors.member)).status_code == 201
    # Agreed once: later messages need no box ticked.
    again = await client.post(url, json=post("Toinen", consent=False), headers=actors.member)
    assert again.status_code == 201
    assert (await client.post(url, json=post(), headers=actors.loner)).status_code == 403
    assert (await client.post(url, json=post(), headers=actors.visitor)).status_code == 401
    subject = await client.get("/discussions/measure/1.1.1", headers=actors.member)
    assert subject.json()["consented"] and subject.json()["title"]["sv"] == "Mål 1.1.1"


async def test_limits_images_unknown_subjects_and_closed_measures(
    service: Running, actors: Actors
) -> None:
    svc, client = service
    url = f"/discussions/action/{ACTION}/threads"
    long = await client.post(url, json=post("x" * 5001), headers=actors.member)
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "body"
    image = await client.post(url, json=post("![kuva](https://e.org/a.png)"), headers=actors.member)
    assert image.status_code == 422 and "image" in image.json()["message"]
    hidden = await client.post(url, json=post("a\u200bb"), headers=actors.member)
    assert hidden.status_code == 422
    assert (await client.get("/discussions/action/nope/threads")).status_code == 404
    assert (await client.get("/discussions/sub_goal/1.1.1")).status_code == 404  # a measure
    retired = await client.post(
        "/discussions/measure/1.1.2/threads", json=post(), headers=actors.member
    )
    assert retired.status_code == 409
    assert (await client.get("/discussions/nonsense/x")).status_code == 422

    svc.settings.discussion_posts_per_hour = 2  # type: ignore[attr-defined]
    for _ in range(2):
        assert (await client.post(url, json=post(), headers=actors.other)).status_code == 201
    flood = await client.post(url, json=post(), headers=actors.other)
    assert flood.status_code == 429 and flood.headers["retry-after"]


async def test_authors_edit_in_time_and_delete_their_own(service: Running, actors: Actors) -> None:
    svc, client = service
    message = (
        await client.post(
            f"/discussions/action/{ACTION}/threads", json=post(), headers=actors.member
        )
    ).json()
    url = f"/discussions/messages/{message['id']}"
    assert (await client.put(url, json={"body": "Muu"}, headers=actors.other)).status_code == 403
    edited = await client.put(url, json={"body": "Korjattu"}, headers=actors.member)
    assert edited.status_code == 200 and edited.json()["body"] == "Korjattu"
    assert edited.json()["edited_at"]

    svc.settings.discussion_edit_minutes = 0  # type: ignore[attr-defined]
    late = await client.put(url, json={"body": "Myöhään"}, headers=actors.member)
    assert late.status_code == 403 and late.json()["errors"][0]["field"] == "body"

    assert (await client.delete(url, headers=actors.other)).status_code == 403
    gone = await client.delete(url, headers=actors.member)
    assert gone.status_code == 200
    assert gone.json()["state"] == "deleted" and gone.json()["body"] is None
    stored = await svc.ctx().db["discussion_messages"].find_one({"_id": message["id"]})
    assert stored["body"] is None  # taken back for good
    kinds = [e["data"]["kind"] for e in await outbox(svc)]
    assert kinds == ["posted", "edited", "removed"]


async def test_a_report_reaches_the_coordinators_who_hide_with_a_reason(
    service: Running, actors: Actors
) -> None:
    svc, client = service
    message = (
        await client.post(
            f"/discussions/action/{ACTION}/threads", json=post("Roskaa"), headers=actors.member
        )
    ).json()
    url = f"/discussions/messages/{message['id']}"
    report = await client.post(f"{url}/reports", json={"reason": "Mainos"}, headers=actors.visitor)
    assert report.status_code == 401
    report = await client.post(f"{url}/reports", json={"reason": "Mainos"}, headers=actors.other)
    assert report.status_code == 201, report.text

    assert (await client.get("/discussions/reports", headers=actors.other)).status_code == 403
    queue = (await client.get("/discussions/reports", headers=actors.coordinator)).json()
    assert [r["message"]["id"] for r in queue["items"]] == [message["id"]]
    assert queue["items"][0]["reason"] == "Mainos"

    no_reason = await client.post(f"{url}/hide", json={"reason": ""}, headers=actors.coordinator)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert (
        await client.post(f"{url}/hide", json={"reason": "Mainos"}, headers=actors.other)
    ).status_code == 403
    hidden = await client.post(
        f"{url}/hide", json={"reason": "Mainontaa"}, headers=actors.coordinator
    )
    assert hidden.status_code == 200 and hidden.json()["state"] == "hidden"

    public = (await client.get(url)).json()
    assert public["body"] is None and public["hidden_reason"] == "Mainontaa"
    # The coordinators still see what was hidden.
    assert (await client.get(url, headers=actors.coordinator)).json()["body"] == "Roskaa"
    queue = (await client.get("/discussions/reports", headers=actors.coordinator)).json()
    assert queue["items"] == []
    events = await outbox(svc)
    assert [e["data"]["kind"] for e in events] == ["posted", "reported", "removed"]
    assert events[1]["data"]["reported_by"] == "m2"
    assert events[2]["data"]["removal"] == "hidden"


async def test_topics_members_only_and_following(service: Running, actors: Actors) -> None:
    _, client = service
    made = await client.post(
        "/discussions/topics",
        json={"title": "Pohjois-Savon verkosto", "members_only": True},
        headers=actors.member,
    )
    assert made.status_code == 403
    made = await client.post(
        "/discussions/topics",
        json={"title": "<b>Pohjois-Savon</b> verkosto", "members_only": True},
        headers=actors.coordinator,
    )
    assert made.status_code == 201, made.text
    topic = made.json()
    assert topic["title"] == "Pohjois-Savon verkosto"
    assert (await client.get("/discussions/topics")).json()["items"] == []
    listed = (await client.get("/discussions/topics", headers=actors.member)).json()
    assert [t["id"] for t in listed["items"]] == [topic["id"]]
    assert (await client.get(f"/discussions/topic/{topic['id']}/threads")).status_code == 401

    followed = await client.put(f"/discussions/topic/{topic['id']}/follow", headers=actors.other)
    assert followed.status_code == 200 and followed.json()["following"]
    message = await client.post(
        f"/discussions/topic/{topic['id']}/threads", json=post(), headers=actors.member
    )
    notice = await client.get(
        f"/discussions/messages/{message.json()['id']}/notice", headers=actors.coordinator
    )
    assert set(notice.json()["followers"]) == {"m1", "m2"}
    assert notice.json()["subject_ref"] == topic["id"]
    await client.delete(f"/discussions/topic/{topic['id']}/follow", headers=actors.other)
    await client.delete(
        f"/discussions/threads/{message.json()['id']}/follow", headers=actors.member
    )
    notice = await client.get(
        f"/discussions/messages/{message.json()['id']}/notice", headers=actors.coordinator
    )
    assert notice.json()["followers"] == []


async def test_an_erased_member_becomes_a_former_member(
    service: Running, actors: Actors, erase: Any
) -> None:
    svc, client = service
    message = (
        await client.post(
            f"/discussions/action/{ACTION}/threads", json=post(), headers=actors.member
        )
    ).json()
    await svc.ctx().state["copies"].apply_member(erase("m1"))
    # As the consumer does (main.on_member): the member copy first, then the messages.
    await svc.ctx().state["discussion"].forget_author("m1")
    shown = (await client.get(f"/discussions/messages/{message['id']}")).json()
    assert shown["author"]["former_member"] and shown["author"]["name"] is None
    assert shown["body"] == "Hyvä *idea*"
    stored = await svc.ctx().db["discussion_messages"].find_one({"_id": message["id"]})
    assert stored["author_id"] is None
    assert await svc.ctx().db["discussion_consents"].find_one({"_id": "m1"}) is None


@pytest.mark.parametrize("limit", [1])
async def test_threads_page_with_a_cursor(service: Running, actors: Actors, limit: int) -> None:
    _, client = service
    ids = []
    for n in range(3):
        made = await client.post(
            "/discussions/sub_goal/1.1/threads", json=post(f"Viesti {n}"), headers=actors.member
        )
        ids.append(made.json()["id"])
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/discussions/sub_goal/1.1/threads", params=params)).json()
        seen += [t["thread_id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids[::-1]
    bad = await client.get("/discussions/sub_goal/1.1/threads", params={"cursor": "!!"})
    assert bad.status_code == 422
