"""A county's report for the regional welfare report: its municipalities side by side as a
printable page, a PDF or an XLSX in the reader's language (drawn by reporting, which owns the
figures, like the yearly report), and the same under /api/v1 (JSON by default)."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from htk_gateway.api import schemas as s
from htk_gateway.api.contract import relayed
from htk_gateway.api.routes import _to
from htk_gateway.web.calls import call, error_list
from htk_gateway.web.guards import Reader
from htk_gateway.web.render import SECURITY_HEADERS
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/places", tags=["places"])

PageFormat = Literal["html", "pdf", "xlsx"]
FORMATS: tuple[PageFormat, ...] = ("html", "pdf", "xlsx")


@api_router.get(
    "/county/{code}/report",
    **relayed(
        "reporting",
        "/places/county/{code}/report",
        model=s.CountyReport,
        errors=(404,),
        files=s.file_answer(
            "text/html",
            "application/pdf",
            s.SPREADSHEET[1],
            description="The report as a printable page, a PDF or an XLSX (by format)",
        ),
    ),
)
async def api_county_report(code: str, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/places/county/{code}/report", write=False)


@router.get("/places/county/{code}/report")
async def county_report_page(code: str, request: Request, v: Reader) -> Response:
    """The page, or with ``format=pdf`` / ``format=xlsx`` the download, in the reader's
    language (or the one asked for with ``lang``)."""
    asked = request.query_params.get("format") or "html"
    fmt = asked if asked in FORMATS else "html"
    answer = await call(
        request,
        None,
        "reporting",
        "GET",
        f"/places/county/{code}/report",
        params={"format": fmt, "lang": v.lang},
    )
    if answer.status_code == 404:
        raise DomainError(404, v.t("places.not_found"))
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code if answer.status_code < 500 else 503, message)
    headers = dict(SECURITY_HEADERS)
    if "content-disposition" in answer.headers:
        headers["Content-Disposition"] = answer.headers["content-disposition"]
    return Response(answer.content, media_type=answer.headers.get("content-type"), headers=headers)
