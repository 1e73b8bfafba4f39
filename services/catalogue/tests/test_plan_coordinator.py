"""What the coordinators' plan pages rely on: a dry run that lists every error with its rule's
name (so the page can say it in the reader's language), the reason kept with each version, past
versions through ``/plan?version=``, and a form upload named as such instead of parsed as CSV."""

from typing import Any

Running = Any  # the `cat` fixture of conftest.py

BAD = (
    "code,name_fi,name_sv,name_en,example,state,merged_into\n"
    "1,Osallisuus,Delaktighet,Participation,no,,\n"
    "1.1,Alatavoite,,Sub-goal,no,,\n"  # line 3: name_sv empty
    "1.2,Toinen,Andra,Second,maybe,,\n"  # line 4: example is not yes or no
    "1.3,Kolmas,Tredje,Third,no,merged,9.9\n"  # line 5: merged into an unknown node
)


async def test_a_dry_run_lists_every_error_with_its_rule_and_stores_nothing(cat: Running) -> None:
    before = await cat.catalogue.plan.versions.count_documents({})
    answer = await cat.client.post(
        "/plan/imports?dry_run=true&filename=bad.csv",
        content=BAD.encode(),
        headers=cat.coordinator(),
    )
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert [(e["line"], e["field"], e["error"]) for e in errors] == [
        (3, "name_sv", "empty_name"),
        (4, "example", "bad_example"),
        (5, "merged_into", "merged_into_unknown"),
    ]
    assert errors[1]["params"] == {"value": "maybe"}
    assert errors[2]["params"] == {"code": "1.3", "into": "9.9"}

    good = "code,name_fi,name_sv,name_en\n1,Osallisuus,Delaktighet,Participation\n1.1,Uusi,Ny,New\n"
    checked = await cat.client.post(
        "/plan/imports?dry_run=true", content=good.encode(), headers=cat.coordinator()
    )
    assert checked.status_code == 201, checked.text
    assert checked.json()["counts"] == {"priority": 1, "sub_goal": 1, "measure": 0}
    assert checked.json()["dry_run"] is True
    assert await cat.catalogue.plan.versions.count_documents({}) == before


async def test_a_multipart_upload_is_named_as_the_problem(cat: Running) -> None:
    answer = await cat.client.post(
        "/plan/imports",
        files={"file": ("plan.csv", b"code,name_fi,name_sv,name_en\n", "text/csv")},
        headers=cat.coordinator(),
    )
    assert answer.status_code == 415
    assert answer.json()["errors"][0]["field"] == "file"


async def test_each_change_keeps_who_and_why_and_old_versions_stay_readable(
    cat: Running,
) -> None:
    coordinator = cat.coordinator("c7")
    added = await cat.client.post(
        "/plan/nodes",
        json={
            "code": "1.1.90",
            "name": {"fi": "Uusi", "sv": "Ny", "en": "New"},
            "reason": "Neuvottelukunnan päätös 3/2026",
        },
        headers=coordinator,
    )
    assert added.status_code == 201, added.text
    assert added.json()["plan"]["created_by"] == "c7"
    assert added.json()["plan"]["reason"] == "Neuvottelukunnan päätös 3/2026"
    version = added.json()["plan"]["version"]

    merged = await cat.client.post(
        "/plan/nodes/1.1.90/merge",
        json={"into": "1.1.1", "reason": "päällekkäinen"},
        headers=coordinator,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["node"] == {**merged.json()["node"], "state": "merged"}
    assert merged.json()["node"]["merged_into"] == "1.1.1"

    refused = await cat.client.post(
        "/plan/nodes/1.1.90/retire", json={"reason": "x"}, headers=coordinator
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["error"] == "not_active"
    assert refused.json()["errors"][0]["params"] == {"code": "1.1.90", "state": "merged"}

    old = (await cat.client.get(f"/plan?version={version}")).json()
    assert old["version"] == version and old["current"] is False
    codes = {
        m["code"]: m["state"]
        for p in old["priorities"]
        for s in p["children"]
        for m in s["children"]
    }
    assert codes["1.1.90"] == "active"
    assert (await cat.client.get("/plan?version=999")).status_code == 404
    history = (await cat.client.get("/plan/versions")).json()["items"]
    assert history[0]["reason"] == "päällekkäinen" and history[0]["created_by"] == "c7"
