"""The county report for the regional welfare report (and the map coloured by an indicator): every municipality side by side with the
same figures as its place page, the county as a whole after them, indicators with "no data"
kept apart from zero, and the same table as XLSX (names in the reader's language, keys below)
and as a PDF whose text reads back with Finnish and Swedish letters."""

import io
import re

import pypdf
from openpyxl import load_workbook

from htk_reporting.main import create_service
from htk_reporting.places import indicator_store as istore
from htk_reporting.places.county_report import messages
from htk_reporting.places.indicators import IndicatorMeta
from htk_testing.reporting_events import action_event, example_plan
from htk_testing.runtime import running


async def test_county_report_equals_the_place_pages(service_env: dict[str, str]) -> None:
    service = create_service()
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan())
        # County 16 (Etelä-Pohjanmaa): Alajärvi 005 two own actions, Seinäjoki 743 one, one
        # county-wide action and one national (in neither municipality's figures).
        await p.apply(action_event("published", "a1", 1, ["1.1.1"], municipalities=["005"]))
        await p.apply(action_event("published", "a2", 1, ["2.1.1"], municipalities=["005"],
                                   organisation_id="o2"))  # fmt: skip
        await p.apply(action_event("published", "a3", 1, ["1.2.1"], municipalities=["743"]))
        await p.apply(action_event("published", "a4", 1, ["1.2.2"], counties=["16"]))
        await p.apply(action_event("published", "a5", 1, ["3.1.1"], national=True))
        meta = IndicatorMeta(900001, {"fi": "Yksinäisyys", "sv": "Ensamhet", "en": "Loneliness"},
                             "Esimerkki", {"fi": "%", "sv": "%", "en": "%"}, True, [])  # fmt: skip
        await istore.save_import(
            service.ctx().db,
            meta,
            [
                {"kind": "municipality", "code": "005", "year": 2022, "value": 10.0},
                {"kind": "municipality", "code": "005", "year": 2023, "value": 12.5},
                {"kind": "county", "code": "16", "year": 2023, "value": 11.0},
            ],
            "test",
        )

        report = (await client.get("/places/county/16/report")).json()
        rows = {row["code"]: row for row in report["municipalities"]}
        assert len(rows) == 18
        for code in ("005", "743", "010"):
            page = (await client.get(f"/places/municipality/{code}")).json()
            row = rows[code]
            assert row["actions"] == page["totals"]["actions"]
            assert row["per_10000"] == page["totals"]["per_10000"]
            assert row["organisations"] == page["totals"]["organisations"]
            assert row["gaps"] == [g["code"] for g in page["gaps"]]
            cov = {c["code"]: c["actions"] for c in page["coverage"]}
            assert row["sub_goals"] == {k: cov[k] for k in row["sub_goals"]}
            assert row["measures"] == {k: cov[k] for k in row["measures"]}
        # Hand-computed: Alajärvi 2 actions among 9,078 inhabitants -> 2.2 per 10,000; it
        # covers sub-goals 1.1 and 2.1 (of 8) and measures 1.1.1 and 2.1.1.
        assert rows["005"]["per_10000"] == 2.2
        assert rows["005"]["sub_goals_covered"] == 2 and rows["005"]["measures_covered"] == 2
        assert rows["743"]["sub_goals"]["1.2"] == 1 and rows["010"]["actions"] == 0
        county = (await client.get("/places/county/16")).json()
        assert report["county"]["actions"] == county["totals"]["actions"] == 4
        assert report["county"]["county_wide"] == 1
        assert report["county"]["gaps"] == [g["code"] for g in county["gaps"]]
        key = {n["code"]: n for n in report["sub_goals"]}
        assert key["1.2"]["municipalities_covering"] == 1 and key["1.2"]["county_actions"] == 2
        # The latest year (2023): Alajärvi's value, the county's own, the others "no data".
        assert report["indicators"][0]["year"] == 2023 and report["example_indicators"]
        assert rows["005"]["indicators"]["900001"] == 12.5
        assert rows["743"]["indicators"]["900001"] is None
        assert report["county"]["indicators"]["900001"] == 11.0

        page = await client.get("/places/county/16/report", params={"format": "html",
                                                                     "lang": "sv"})  # fmt: skip
        assert page.status_code == 200 and "Kommunerna sida vid sida" in page.text
        assert "Alajärvi" in page.text and "uppgift saknas" in page.text

        xlsx = await client.get("/places/county/16/report", params={"format": "xlsx",
                                                                     "lang": "fi"})  # fmt: skip
        sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        labels, keys = table[0], table[1]
        assert keys[:5] == ["code", "name", "kind", "population", "actions"]
        assert labels[4] == "Toimia" and labels[3] == "Väkiluku 2024"
        assert labels[keys.index("sub_goal:1.1")].startswith("Alatavoite: 1.1 ")
        assert labels[keys.index("indicator:900001")] == "Yksinäisyys (900001), 2023 [%]"
        by_code = {r[0]: dict(zip(keys, r, strict=True)) for r in table[2:]}
        assert by_code["005"]["actions"] == 2 and by_code["005"]["per_10000"] == 2.2
        assert by_code["005"]["indicator:900001"] == 12.5
        assert by_code["743"]["indicator:900001"] is None
        assert by_code["16"]["kind"] == "hyvinvointialue" and by_code["16"]["county_wide"] == 1

        pdf = await client.get("/places/county/16/report", params={"format": "pdf",
                                                                    "lang": "sv"})  # fmt: skip
        assert pdf.headers["content-type"] == "application/pdf"
        text = "".join(pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Kommunerna sida vid sida: Södra Österbotten" in text
        assert "Alajärvi" in text and "Välfärdsindikatorer" in text

        # The map coloured by the indicator instead of actions: the same values, the actions
        # beside them, "no data" as its own class.
        m = (await client.get("/places/map", params={"measure": "indicator",
                                                     "indicator": 900001})).json()  # fmt: skip
        assert m["indicator"]["year"] == 2023 and m["indicator"]["example"] is True
        by = {row["code"]: row for row in m["rows"]}
        assert by["005"]["value"] == by["005"]["indicator_value"] == 12.5
        assert by["005"]["actions"] == 2 and by["005"]["class"] == "c1"
        assert by["743"]["value"] is None and by["743"]["class"] == "no_data"
        counties = (await client.get("/places/map", params={
            "measure": "indicator", "indicator": 900001, "level": "county"})).json()  # fmt: skip
        assert next(row for row in counties["rows"] if row["code"] == "16")["value"] == 11.0
        missing = await client.get("/places/map", params={"measure": "indicator"})
        assert missing.status_code == 422 and "indicator" in missing.text
        unknown = await client.get("/places/map", params={"measure": "indicator",
                                                          "indicator": 1})  # fmt: skip
        assert unknown.status_code == 404

        assert (await client.get("/places/county/55/report")).status_code == 404
        bad = await client.get("/places/county/16/report", params={"format": "doc"})
        assert bad.status_code == 422 and "format" in bad.text


def test_the_report_speaks_finnish_swedish_and_english_alike() -> None:
    """Every text of the report in all three languages, with the same placeholders."""
    fi, sv, en = messages("fi"), messages("sv"), messages("en")
    assert fi.keys() == sv.keys() == en.keys()
    for key, text in fi.items():
        holes = set(re.findall(r"{(\w+)}", text))
        assert holes == set(re.findall(r"{(\w+)}", sv[key])) == set(re.findall(r"{(\w+)}", en[key]))
