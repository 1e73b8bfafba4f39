"""Bulk import: row-level errors, valid rows in, nothing twice, nothing half."""

import csv
import io
from typing import Any

from openpyxl import Workbook, load_workbook

HEADER = [
    "title",
    "summary",
    "organisation_id",
    "measures",
    "municipalities",
    "national",
    "inequality_reduction",
    "target_groups",
    "start_date",
]
GOOD = [
    "Nuorten iltapäiväkerho",
    "Kerho yläkoululaisille koulun jälkeen.",
    "o1",
    "1.1.2",
    "091",
    "ei",
    "Maksuton kerho tavoittaa pienituloisten perheiden nuoret.",
    "young_people",
    "2026-02-01",
]
GOOD_2 = [
    "Liikuntaa maahan muuttaneille",
    "Matalan kynnyksen liikuntaryhmä.",
    "o2",
    "3.1.1",
    "",
    "kyllä",
    "Ryhmä tavoittaa naiset, jotka eivät käytä muita liikuntapalveluja.",
    "immigrants",
    "",
]
BAD = ["x", "lyhyt", "o9", "9.9.9", "999", "ehkä", "lyhyt", "cats", "2026-02-30"]


def csv_file(rows: list[list[str]], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(
    client: Any, headers: dict[str, str], name: str, data: bytes, dry_run: bool
) -> Any:
    return await client.post(
        "/imports",
        params={"dry_run": str(dry_run).lower()},
        files={"file": (name, data)},
        headers=headers,
    )


async def test_dry_run_lists_errors_by_row_and_column_and_stores_nothing(
    service: Any, actors: Any
) -> None:
    svc, client = service
    response = await upload(
        client, actors.coordinator, "toimet.csv", csv_file([GOOD, BAD, GOOD_2]), True
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["valid_rows"], report["imported"]) == (3, 2, 0)
    bad_columns = {e["column"] for e in report["errors"] if e["row"] == 3}
    assert {
        "title",
        "summary",
        "inequality_reduction",
        "national",
        "target_groups",
        "start_date",
    } <= bad_columns
    assert all(e["row"] == 3 for e in report["errors"])
    assert await svc.ctx().db["actions"].count_documents({}) == 0


async def test_references_are_checked_per_row(service: Any, actors: Any) -> None:
    _, client = service
    row = GOOD.copy()
    row[2], row[3], row[4] = "o3", "1.1.1;9.9.9", "999"
    report = (await upload(client, actors.coordinator, "a.csv", csv_file([GOOD, row]), True)).json()
    assert report["valid_rows"] == 1
    assert {(e["row"], e["column"]) for e in report["errors"]} == {
        (3, "organisation_id"),
        (3, "measures"),
        (3, "municipalities"),
    }


async def test_valid_rows_are_imported_once(service: Any, actors: Any) -> None:
    svc, client = service
    data = xlsx_file([GOOD, BAD, GOOD_2])
    first = (await upload(client, actors.coordinator, "toimet.xlsx", data, False)).json()
    assert (first["imported"], first["already_imported"], len(first["errors"]) > 0) == (2, 0, True)
    again = (await upload(client, actors.coordinator, "toimet.xlsx", data, False)).json()
    assert (again["imported"], again["already_imported"]) == (0, 2)
    actions = await svc.ctx().db["actions"].find({}).to_list()
    assert len(actions) == 2
    assert all(a["status"] == "published" and a["public"] is not None for a in actions)
    published = (
        await svc.ctx().db["outbox"].count_documents({"event.type": "fi.htk.action.published.v1"})
    )
    assert published == 2
    public = (await client.get(f"/actions/{actions[0]['_id']}")).json()
    assert public["title"] in (GOOD[0], GOOD_2[0])


async def test_only_coordinators_import_and_bad_files_are_named(service: Any, actors: Any) -> None:
    _, client = service
    assert (await upload(client, actors.member, "a.csv", csv_file([GOOD]), True)).status_code == 403
    assert (await upload(client, {}, "a.csv", csv_file([GOOD]), True)).status_code == 401
    for name, data in (("a.pdf", b"%PDF"), ("a.xlsx", b"not a workbook"), ("a.csv", b"")):
        response = await upload(client, actors.coordinator, name, data, True)
        assert response.status_code == 422, (name, response.text)
        assert response.json()["errors"][0]["field"] == "file"
    wrong_header = b"otsikko;kuvaus\nx;y\n"
    response = await upload(client, actors.coordinator, "a.csv", wrong_header, True)
    assert response.status_code == 422
    assert "missing columns" in response.json()["message"]


async def test_templates_open_in_a_spreadsheet(service: Any) -> None:
    _, client = service
    xlsx = await client.get("/imports/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["title", "summary"]
    text = (await client.get("/imports/template.csv")).content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("title,summary")
