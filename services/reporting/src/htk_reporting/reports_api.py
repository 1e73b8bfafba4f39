"""Yearly implementation reports (public): from the year's latest snapshot, or a preliminary one
from live figures, clearly marked as such, when the year has not been frozen yet."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from htk_reporting import store
from htk_reporting.context import Ctx
from htk_reporting.yearly import report_data, to_html, to_pdf

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/yearly/{year}")
async def yearly(
    r: Ctx,
    year: Annotated[int, Path(ge=2000, le=2100, description="e.g. 2026")],
    format: Literal["json", "html", "pdf"] = "html",
    snapshot: str | None = None,
) -> Any:
    query: dict[str, Any] = {"_id": snapshot} if snapshot else {"year": year}
    snap = await r.db[store.SNAPSHOTS].find_one(query, sort=[("frozen_at", -1)])
    if snap is not None and snap["year"] == year:
        data = snap["report"]
    else:
        data = await report_data(r.db, r.plan, r.geo, await r.report_docs(), year, r.now(), r.ages)
    if format == "json":
        return data
    if format == "html":
        return HTMLResponse(to_html(data))
    name = f"htk-yearly-report-{year}.pdf"
    return Response(
        to_pdf(data),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
