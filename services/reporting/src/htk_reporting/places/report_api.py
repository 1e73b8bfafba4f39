"""The county report for the regional welfare report (public, like the place pages):
``/places/county/{code}/report`` as JSON, a printable page, a PDF or an XLSX."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from htk_reporting.api.downloads import XLSX
from htk_reporting.context import Ctx
from htk_reporting.output.yearly import Lang
from htk_reporting.places.county_report import ReportFormat, county_report, to_pdf, to_xlsx
from htk_reporting.places.county_report import render as render_report
from htk_reporting.places.schemas import CountyReport
from htk_reporting.schemas import BINARY
from htk_runtime.errors import error_answers

router = APIRouter(prefix="/places", tags=["places"])


@router.get(
    "/county/{code}/report",
    response_model=None,
    responses={
        200: {
            "model": CountyReport,
            "description": "The report as JSON, an HTML page, a PDF or an XLSX file (by format)",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": BINARY,
                XLSX: BINARY,
            },
        },
        **error_answers(404),
    },
)
async def county_report_route(
    r: Ctx,
    code: str,
    format: ReportFormat = "json",
    lang: Annotated[Lang, Query(description="Language of the page, PDF or XLSX headers")] = "fi",
) -> dict[str, object] | Response:
    """Every municipality of the county side by side: actions, per 10,000 inhabitants,
    organisations, sub-goals and measures covered, gaps and welfare indicators; the county as
    a whole after them. The figures are the place pages' own."""
    now = r.now()
    data = await county_report(r, code, now)
    if format == "json":
        return data
    if format == "html":
        return HTMLResponse(render_report(data, lang))
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    name = f"htk-county-{code}-report-{lang}-plan{r.plan.version}-{stamp}.{format}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Plan-Version": str(r.plan.version),
        "X-Computed-At": now.isoformat(),
        "X-Licence": r.settings.reporting_licence,
    }
    if format == "pdf":
        body = to_pdf(data, lang, r.settings.reporting_font_dir)
        return Response(body, media_type="application/pdf", headers=headers)
    body = to_xlsx(data, lang, r.settings.reporting_licence_url)
    return Response(body, media_type=XLSX, headers=headers)


__all__ = ["router"]
