"""`htk plan import` and `htk catalogue ...` against the catalogue's database."""

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

Running = Any  # the `cat` fixture of conftest.py

PRIORITIES = [
    line
    for line in (Path(__file__).resolve().parents[3] / "data/plan/example-plan.csv")
    .read_text()
    .splitlines()
    if line.endswith(",no")
]


async def htk(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "htk_cli.main",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ),
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_plan_import_refuses_a_bad_file_whole_then_imports_a_good_one(
    cat: Running, tmp_path: Path
) -> None:
    header = "code,name_fi,name_sv,name_en,description_fi,responsible,example"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([header, *PRIORITIES, "1.1,Nimi,,Name,,,no", "1.1.1.1,A,B,C,,,no"]))
    code, _, err = await htk("plan", "import", str(bad))
    assert code == 1
    assert f"{bad}:6: name_sv: the name is empty" in err
    assert f"{bad}:7: code:" in err
    assert (await cat.client.get("/plan")).json()["version"] == 1

    good = tmp_path / "plan-2026.csv"
    good.write_text("\n".join([header, *PRIORITIES, "1.1,Nimi,Namn,Name,Kuvaus,Kunnat,no"]))
    code, out, err = await htk(
        "plan", "import", str(good), "--by", "tester", "--reason", "Päätös 3/2026"
    )
    assert code == 0, err
    assert "plan version 2 imported" in out
    plan = (await cat.client.get("/plan")).json()
    assert plan["version"] == 2 and plan["created_by"] == "tester"
    assert plan["reason"] == "Päätös 3/2026"
    assert plan["change"] == "import plan-2026.csv"
    assert plan["example"] is False and plan["notice"] is None
    assert plan["counts"] == {"priority": 4, "sub_goal": 1, "measure": 0}
    assert plan["priorities"][0]["children"][0]["responsible"] == ["Kunnat"]


async def test_replay_and_granting_the_coordinator_role(cat: Running) -> None:
    org = (
        await cat.client.post(
            "/organisations",
            json={"name_fi": "Kunta", "type": "municipality", "municipality": "091"},
            headers=cat.coordinator(),
        )
    ).json()["id"]
    body = {"name": "Maija", "email": "maija@example.org", "organisation_id": org}
    member_id = (await cat.client.post("/registrations", json=body)).json()["member"]["id"]
    outbox = cat.catalogue.writer.outbox.collection
    before = await outbox.count_documents({})

    code, out, err = await htk("catalogue", "replay")
    assert code == 0, err
    assert "1 plan_versions, 1 organisations, 1 members" in out
    assert await outbox.count_documents({}) == before + 3

    code, _, err = await htk("catalogue", "coordinator", "MAIJA@example.org")
    assert code == 0, err
    assert (await cat.catalogue.members.get(member_id))["coordinator"] is True
    code, _, err = await htk("catalogue", "coordinator", "nobody@example.org")
    assert code == 1 and "no member" in err
