"""Yearly implementation reports (public): from the year's latest snapshot, or a preliminary one
from live figures, clearly marked as such, when the year has not been frozen yet."""

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from htk_reporting.context import Ctx
from htk_reporting.output.yearly import Lang, render, report_data, to_pdf
from htk_reporting.schemas import BINARY, YearlyReport
from htk_reporting.store import snapshots as snapshot_store
from htk_runtime.errors import DomainError, error_answers

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/yearly/{year}",
    response_model=None,
    responses={
        200: {
            "model": YearlyReport,
            "description": "The report as JSON, an HTML page or a PDF file (by ``format``)",
            "content": {"text/html": {"schema": {"type": "string"}}, "application/pdf": BINARY},
        },
        **error_answers(404),
    },
)
async def yearly(
    r: Ctx,
    year: Annotated[int, Path(ge=2000, le=2100, description="e.g. 2026")],
    format: Literal["json", "html", "pdf"] = "html",
    lang: Annotated[Lang, Query(description="Language of the page or PDF")] = "fi",
    snapshot: Annotated[str | None, Query(max_length=100)] = None,
    plan_version: Annotated[
        int | None, Query(ge=1, description="The latest snapshot made under this plan version")
    ] = None,
) -> Any:
    """The report of ``year``. A snapshot (by id, or the latest one made under ``plan_version``)
    gives the frozen report, the same every time it is asked for."""
    snap = await snapshot_store.latest(r.db, year, snapshot, plan_version)
    if snap is not None:
        data = snap["report"]
    elif snapshot or plan_version is not None:
        field = "snapshot" if snapshot else "plan_version"
        raise DomainError(404, f"No snapshot of {year} with this {field}", field=field)
    else:
        data = await report_data(r.db, r.plan, r.geo, await r.report_docs(), year, r.now())
    if format == "json":
        return YearlyReport.model_validate(data)
    if format == "html":
        # The links to the other languages and the PDF name the snapshot the page was made from.
        frozen = data.get("snapshot_id")
        return HTMLResponse(
            render(data, lang, query=urlencode({"snapshot": frozen} if frozen else {}))
        )
    name = f"htk-yearly-report-{year}-{lang}.pdf"
    return Response(
        to_pdf(data, lang, r.settings.reporting_font_dir),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
