"""Exports open (CSV, XLSX), the yearly report renders (HTML, PDF) and a snapshot freezes it,
open data needs no login."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from pypdf import PdfReader

from htk_reporting.main import create_service
from htk_testing.reporting_events import action_event, example_plan
from htk_testing.runtime import running, user_headers

YEAR = datetime.now(UTC).year


async def test_exports_reports_snapshots_open_data(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    service = create_service()
    coordinator = user_headers(token_keys[0], member_id="c1", coordinator=True)
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan())
        await p.apply(
            action_event(
                "published",
                "e1",
                1,
                ["1.1.1"],
                municipalities=["091"],
                title="Kohtaamispaikka Äänekoski",
            )
        )

        # Exports are for coordinators; open data is not.
        assert (await client.get("/exports/coverage.csv")).status_code == 401
        response = await client.get("/exports/coverage.csv", headers=coordinator)
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        by_code = {r["code"]: r for r in rows}
        assert by_code["1.1.1"]["actions"] == "1" and by_code["1.1.1"]["plan_version"] == "1"
        assert by_code["1.1.1"]["computed_at"]

        response = await client.get(
            "/exports/municipalities.xlsx", params={"county": "90"}, headers=coordinator
        )
        book = load_workbook(io.BytesIO(response.content))
        sheet = book["municipalities"]
        header = [c.value for c in sheet[1]]
        values = [
            dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)
        ]
        assert [(v["code"], v["actions"]) for v in values] == [("091", 1)]
        about = {r[0].value: r[1].value for r in book["about"].iter_rows()}
        assert about["plan_version"] == 1 and about["licence"] == "CC BY 4.0"
        pipeline = await client.get("/exports/pipeline.xlsx", headers=coordinator)
        assert pipeline.status_code == 200
        bad = await client.get("/exports/nothing.csv", headers=coordinator)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "table"

        index = (await client.get("/open-data")).json()
        assert index["licence"] == "CC BY 4.0"
        actions = (await client.get("/open-data/actions.json")).json()
        assert [a["action_id"] for a in actions["actions"]] == ["e1"]
        open_csv = await client.get("/open-data/counties.csv")
        assert open_csv.status_code == 200 and open_csv.headers["x-licence"] == "CC BY 4.0"

        # A snapshot freezes the yearly report: later events do not change it.
        snap = await client.post(
            "/snapshots", json={"year": YEAR, "label": "vuosi"}, headers=coordinator
        )
        assert snap.status_code == 201, snap.text
        sid = snap.json()["snapshot_id"]
        await p.apply(action_event("published", "e2", 1, ["1.1.2"], title="Myöhempi toimenpide"))

        data = (await client.get(f"/reports/yearly/{YEAR}", params={"format": "json"})).json()
        assert data["snapshot_id"] == sid and data["total"]["actions"] == 1
        frozen = (await client.get(f"/snapshots/{sid}/coverage", headers=coordinator)).json()
        assert {r["code"]: r["actions"] for r in frozen["rows"]}["*"] == 1
        live = {r["code"]: r["actions"] for r in (await client.get("/coverage")).json()["rows"]}
        assert live["*"] == 2

        page = await client.get(f"/reports/yearly/{YEAR}")
        assert "Kohtaamispaikka Äänekoski" in page.text and "Myöhempi" not in page.text
        pdf = await client.get(f"/reports/yearly/{YEAR}", params={"format": "pdf"})
        assert pdf.headers["content-type"] == "application/pdf"
        text = "\n".join(pg.extract_text() for pg in PdfReader(io.BytesIO(pdf.content)).pages)
        assert f"Toimeenpanon vuosiraportti {YEAR}" in text and "Kohtaamispaikka Äänekoski" in text
        assert sid in text

        bad_year = await client.post("/snapshots", json={"year": 1900}, headers=coordinator)
        assert bad_year.status_code == 422 and bad_year.json()["errors"][0]["field"] == "year"
