"""Turning a table into a download response (CSV or XLSX)."""

from datetime import datetime
from typing import Any, Literal

from fastapi.responses import Response

from htk_reporting.context import Reporting
from htk_reporting.output.exports import to_csv, to_xlsx
from htk_reporting.output.yearly import Lang

Format = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(
    r: Reporting,
    name: str,
    rows: list[dict[str, Any]],
    fmt: Format,
    now: datetime,
    lang: Lang | None = None,
) -> Response:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    filename = f"htk-{name}-plan{r.plan.version}-{stamp}.{fmt}"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Plan-Version": str(r.plan.version),
        "X-Computed-At": now.isoformat(),
        "X-Licence": r.settings.reporting_licence,
    }
    about = {
        "licence": r.settings.reporting_licence,
        "licence_url": r.settings.reporting_licence_url,
    }
    if fmt == "csv":
        body = to_csv(rows, r.plan.version, now, lang)
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    body = to_xlsx(name, rows, r.plan.version, now, about, lang)
    return Response(body, media_type=XLSX, headers=headers)
