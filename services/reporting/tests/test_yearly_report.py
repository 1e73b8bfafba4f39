"""The yearly report: one template in Finnish, Swedish and English, the same every time for a
snapshot, and a PDF whose text keeps dashes, curly quotes, the euro sign and Sámi letters."""

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from htk_reporting.main import create_service
from htk_reporting.output.yearly import messages
from htk_testing.reporting_events import action_event, plan_event
from htk_testing.runtime import running, user_headers

YEAR = datetime.now(UTC).year
HARD = "– ’ € Č Ŋ å ä ö"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_report_in_three_languages_frozen_and_in_unicode(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    service = create_service()
    coordinator = user_headers(token_keys[0], member_id="c1", coordinator=True)
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        nodes = [
            {"code": "1", "name": "Osallisuus"},
            {"code": "1.1", "name": "Yhteisöt"},
            {"code": "1.1.1", "name": "Kohtaamiset"},
        ]
        plan = plan_event(7, nodes)
        for n in plan.data["nodes"]:
            n["name"] = {"fi": n["name"]["fi"], "sv": f"{n['code']} på svenska", "en": "x"}
        await p.apply_plan(plan)
        await p.apply(
            action_event("published", "u1", 1, ["1.1.1"], municipalities=["091"], title=HARD)
        )

        # Before a snapshot: a preliminary report, in the language asked for.
        page = await client.get(f"/reports/yearly/{YEAR}", params={"lang": "sv"})
        sv = messages("sv")
        assert page.status_code == 200 and '<html lang="sv">' in page.text
        assert sv["title"].format(year=YEAR) in page.text and sv["preliminary"] in page.text
        assert "1.1 på svenska" in page.text and "Helsingfors stad" in page.text
        # No Finnish heading or place name in the Swedish report.
        assert messages("fi")["summary"] not in page.text and "Helsingin kaupunki" not in page.text
        assert 'href="/static/style.css"' in page.text
        english = await client.get(f"/reports/yearly/{YEAR}", params={"lang": "en"})
        assert messages("en")["regions"] in english.text
        bad = await client.get(f"/reports/yearly/{YEAR}", params={"lang": "de"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "lang"

        snap = await client.post(
            "/snapshots", json={"year": YEAR, "label": "Q4"}, headers=coordinator
        )
        sid = snap.json()["snapshot_id"]
        await p.apply(action_event("published", "u2", 1, ["1.1.1"], title="Myöhemmin"))

        # Frozen: the same bytes every time, by snapshot id or by the plan version it was made
        # under; later actions are not in it.
        by_id = await client.get(f"/reports/yearly/{YEAR}", params={"snapshot": sid, "lang": "sv"})
        again = await client.get(
            f"/reports/yearly/{YEAR}", params={"plan_version": 7, "lang": "sv"}
        )
        assert by_id.text == again.text and sid in by_id.text and "Myöhemmin" not in by_id.text
        assert f"snapshot={sid}" in by_id.text  # the language and PDF links keep the snapshot
        none = await client.get(f"/reports/yearly/{YEAR}", params={"plan_version": 99})
        assert none.status_code == 404 and none.json()["errors"][0]["field"] == "plan_version"

        pdf = await client.get(f"/reports/yearly/{YEAR}", params={"format": "pdf", "lang": "sv"})
        assert pdf.headers["content-type"] == "application/pdf"
        assert f"-{YEAR}-sv.pdf" in pdf.headers["content-disposition"]
        text = pdf_text(pdf.content)
        assert sv["title"].format(year=YEAR) in text and "?" not in text
        # Text extraction may space out glyphs of a justified line; every one must be there.
        for ch in HARD.split():
            assert ch in text, ch
        assert "Östra Nylands" in text or "1.1 på svenska" in text
        twice = await client.get(f"/reports/yearly/{YEAR}", params={"format": "pdf", "lang": "sv"})
        assert twice.content == pdf.content
