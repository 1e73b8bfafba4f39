"""Plan versions: a refused import changes nothing, and each change keeps the old version."""

from typing import Any

import httpx

Running = Any  # the `cat` fixture of conftest.py


def fields(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


BAD_PLAN = (
    "code,name_fi,name_sv,name_en,example\n"
    "1,Osallisuus,Delaktighet,Participation,no\n"
    "1.1,Alatavoite,,Sub-goal,no\n"  # line 3: name_sv empty
    "1.x,Huono,Dålig,Bad,no\n"  # line 4: not a code
    "5.1.1,Orpo,Föräldralös,Orphan,no\n"  # line 5: no parent 5.1
)


async def _plan_state(cat: Running) -> tuple[int, dict, int]:
    versions = await cat.catalogue.plan.versions.count_documents({})
    current = (await cat.client.get("/plan")).json()
    outbox = await cat.catalogue.writer.outbox.collection.count_documents(
        {"topic": cat.catalogue.writer.topics.plan}
    )
    return versions, current, outbox


async def test_a_plan_file_with_errors_is_refused_whole_and_nothing_changes(cat: Running) -> None:
    before = await _plan_state(cat)
    assert before[0] == 1 and before[1]["version"] == 1

    response = await cat.client.post(
        "/plan/imports?filename=bad.csv", content=BAD_PLAN.encode(), headers=cat.coordinator()
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [
        (3, "name_sv"),
        (4, "code"),
        (5, "code"),
    ]
    assert "unchanged" in response.json()["message"]
    assert await _plan_state(cat) == before

    # The same file through the store the CLI uses is refused the same way.
    from htk_catalogue.plan_file import PlanFileRefused

    try:
        await cat.catalogue.plan.import_file(BAD_PLAN.encode(), "bad.csv", "cli:test")
    except PlanFileRefused as exc:
        assert len(exc.errors) == 3
    else:
        raise AssertionError("the store accepted a bad file")
    assert await _plan_state(cat) == before


async def test_only_coordinators_import_or_change_the_plan(cat: Running) -> None:
    member = cat.as_user(member_id="m1", organisations={"o1": "admin"})
    assert (await cat.client.post("/plan/imports", content=b"x", headers=member)).status_code == 403
    assert (await cat.client.post("/plan/imports", content=b"x")).status_code == 401
    rename = {"name": {"fi": "Uusi"}}
    assert (
        await cat.client.patch("/plan/nodes/1.1.1", json=rename, headers=member)
    ).status_code == 403


async def test_a_change_makes_a_new_version_and_the_old_one_stays_readable(cat: Running) -> None:
    coordinator = cat.coordinator("c1")
    v1 = (await cat.client.get("/plan")).json()
    assert v1["example"] is True and "EXAMPLE" in v1["notice"]
    old_name = v1["priorities"][0]["children"][0]["children"][0]["name"]
    assert v1["priorities"][0]["children"][0]["children"][0]["code"] == "1.1.1"

    renamed = await cat.client.patch(
        "/plan/nodes/1.1.1",
        json={"name": {"fi": "Kohtaamispaikat", "en": "Meeting places"}},
        headers=coordinator,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["plan"]["version"] == 2
    assert renamed.json()["node"]["name"] == {
        "fi": "Kohtaamispaikat",
        "sv": old_name["sv"],
        "en": "Meeting places",
    }

    added = await cat.client.post(
        "/plan/nodes",
        json={
            "code": "1.1.3",
            "name": {"fi": "Uusi", "sv": "Ny", "en": "New"},
            "responsible": ["Kunnat"],
        },
        headers=coordinator,
    )
    assert added.status_code == 201, added.text
    assert added.json()["node"]["example"] is False
    merged = await cat.client.post(
        "/plan/nodes/1.1.2/merge", json={"into": "1.1.3"}, headers=coordinator
    )
    assert merged.status_code == 200, merged.text
    retired = await cat.client.post("/plan/nodes/1.2.2/retire", headers=coordinator)
    assert retired.status_code == 200, retired.text

    current = (await cat.client.get("/plan")).json()
    assert current["version"] == 5 and current["created_by"] == "c1"
    assert current["change"] == "retire 1.2.2"
    nodes = {
        n["code"]: n
        for p in current["priorities"]
        for s in [p, *p["children"]]
        for n in [s, *s.get("children", [])]
    }
    assert nodes["1.1.2"]["state"] == "merged" and nodes["1.1.2"]["merged_into"] == "1.1.3"
    assert nodes["1.2.2"]["state"] == "retired"

    first = (await cat.client.get("/plan/versions/1")).json()
    assert first["current"] is False and first["created_by"] == "system"
    first_measure = first["priorities"][0]["children"][0]["children"][0]
    assert first_measure["name"] == old_name and first_measure["state"] == "active"
    assert len(first["priorities"][0]["children"][0]["children"]) == 2  # 1.1.3 came later
    assert (await cat.client.get("/plan/nodes/1.1.2?version=1")).json()["node"]["state"] == "active"

    history = (await cat.client.get("/plan/versions")).json()["items"]
    assert [h["version"] for h in history] == [5, 4, 3, 2, 1]
    assert [h["change"] for h in history[:4]] == [
        "retire 1.2.2",
        "merge 1.1.2 into 1.1.3",
        "add 1.1.3",
        "edit 1.1.1",
    ]


async def test_plan_changes_that_break_the_rules_are_refused_naming_the_field(
    cat: Running,
) -> None:
    coordinator = cat.coordinator()
    name = {"fi": "A", "sv": "B", "en": "C"}
    cases = [
        ("patch", "/plan/nodes/1", {"name": {"fi": "Uusi"}}, 422, "code"),  # a priority
        ("patch", "/plan/nodes/9.9.9", {"name": {"fi": "Uusi"}}, 404, "code"),
        ("post", "/plan/nodes", {"code": "1.1.1", "name": name}, 422, "code"),  # in use
        ("post", "/plan/nodes", {"code": "7.1", "name": name}, 422, "code"),  # no parent
        ("post", "/plan/nodes", {"code": "1.1.02", "name": name}, 422, "code"),
        ("post", "/plan/nodes", {"code": "1.1.9", "name": {"fi": "A"}}, 422, "name.sv"),
        ("post", "/plan/nodes/1.1/retire", None, 422, "code"),  # active measures under it
        ("post", "/plan/nodes/1.1.1/merge", {"into": "1.2"}, 422, "into"),  # other level
        ("post", "/plan/nodes/1.1.1/merge", {"into": "1.1.1"}, 422, "into"),
    ]
    for method, path, body, status, field in cases:
        response = await cat.client.request(method, path, json=body, headers=coordinator)
        assert response.status_code == status, (path, body, response.text)
        assert field in fields(response), (path, body, response.json())
    assert (await cat.client.get("/plan")).json()["version"] == 1

    # A retired code is never reused.
    assert (
        await cat.client.post("/plan/nodes/1.2.2/retire", headers=coordinator)
    ).status_code == 200
    again = await cat.client.post(
        "/plan/nodes", json={"code": "1.2.2", "name": name}, headers=coordinator
    )
    assert again.status_code == 422 and "never reused" in again.json()["message"]
