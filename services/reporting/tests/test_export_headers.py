"""Exports name their columns in the reader's language, codes beside the names, and keep the keys
in a second header row; without a language, the keys alone."""

import csv
import io

from openpyxl import load_workbook

from htk_reporting.main import create_service
from htk_testing.reporting_events import action_event, example_plan, organisation_event
from htk_testing.runtime import running, user_headers


async def test_headers_in_the_readers_language(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    service = create_service()
    coordinator = user_headers(token_keys[0], member_id="c1", coordinator=True)
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan())
        await p.apply_organisation(organisation_event("org-1", 1, "ngo"))
        await p.apply(action_event("published", "h1", 1, ["1.1.1"], municipalities=["091"]))

        answer = await client.get(
            "/exports/coverage.csv", params={"lang": "sv"}, headers=coordinator
        )
        labels, keys, *rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        header = dict(zip(keys, labels, strict=True))
        assert header["code"] == "Kod" and header["actions"] == "Åtgärder"
        assert header["by_org_type:ngo"] == "Organisationstyp: Organisation i tredje sektorn (ngo)"
        assert header["plan_version"] == "Planens version"
        assert rows[0][keys.index("code")] == "*"

        # Without a language: the keys, one header row, as before.
        plain = await client.get("/exports/coverage.csv", headers=coordinator)
        first = next(csv.reader(io.StringIO(plain.content.decode("utf-8-sig"))))
        assert first == keys

        book = load_workbook(
            io.BytesIO(
                (
                    await client.get(
                        "/exports/municipalities.xlsx",
                        params={"county": "90", "lang": "fi"},
                        headers=coordinator,
                    )
                ).content
            )
        )
        sheet = book["municipalities"]
        labels_fi = [c.value for c in sheet[1]]
        keys_fi = [c.value for c in sheet[2]]
        assert sheet.freeze_panes == "A3"
        county = keys_fi.index("county")
        assert labels_fi[county] == "Hyvinvointialueen koodi"
        assert labels_fi[county + 1] == "Hyvinvointialue"  # the name beside the code
        row = [c.value for c in sheet[3]]
        assert row[county] == "90" and row[county + 1] == "Helsingin kaupunki"

        public = await client.get("/open-data/counties.csv", params={"lang": "en"})
        assert public.content.decode("utf-8-sig").startswith("Code,Name,Actions")
