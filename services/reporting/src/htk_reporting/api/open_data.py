"""Open data: public aggregates and published actions, downloadable without login."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from htk_reporting.api.downloads import Format, download
from htk_reporting.context import Ctx
from htk_reporting.output.yearly import Lang
from htk_reporting.schemas import OpenDataActions, OpenDataIndex, table_file
from htk_reporting.store import actions
from htk_reporting.views import tables
from htk_runtime.errors import DomainError, error_answers

router = APIRouter(prefix="/open-data", tags=["open data"])

ACTION_COLUMNS = (
    "action_id", "version", "title", "summary", "organisation_id", "partner_organisation_ids",
    "measures", "sub_goals", "priorities", "national", "counties", "municipalities",
    "target_groups", "inequality_dimensions", "state", "language", "start_date", "end_date",
    "published_at", "updated_at", "confirmed_at",
)  # fmt: skip


@router.get("", response_model=OpenDataIndex, responses=error_answers())
async def index(r: Ctx) -> dict[str, Any]:
    s = r.settings
    return {
        "licence": s.reporting_licence,
        "licence_url": s.reporting_licence_url,
        "attribution": "Hyvinvointia kaikille 2030 -alusta (HTK)",
        "plan_version": r.plan.version,
        "tables": [f"/open-data/{name}.{{csv,xlsx}}" for name in sorted(tables.PUBLIC)]
        + ["/open-data/actions.{csv,xlsx,json}"],
    }


async def _published(r: Ctx) -> list[dict[str, Any]]:
    docs = await actions.published_snapshots(r.db)
    return [{c: d["snapshot"].get(c) for c in ACTION_COLUMNS} for d in docs if d.get("snapshot")]


@router.get("/actions.json", response_model=OpenDataActions, responses=error_answers())
async def actions_json(r: Ctx) -> dict[str, Any]:
    return {
        "licence": r.settings.reporting_licence,
        "licence_url": r.settings.reporting_licence_url,
        "computed_at": r.now().isoformat(),
        "actions": await _published(r),
    }


@router.get(
    "/{table}.{fmt}",
    response_class=Response,
    responses={200: table_file("The table as CSV or XLSX"), **error_answers()},
)
async def table(
    r: Ctx,
    table: str,
    fmt: Format,
    scope: str | None = None,
    node: str | None = None,
    county: str | None = None,
    lang: Annotated[
        Lang | None,
        Query(description="Column headers in this language, the keys in a second header row"),
    ] = None,
) -> Response:
    now = r.now()
    if table == "actions":
        return download(r, "actions", await _published(r), fmt, now, lang)
    build = tables.PUBLIC.get(table)
    if build is None:
        raise DomainError(422, f"No open data table {table!r}; see /open-data", field="table")
    params = {k: v for k, v in {"scope": scope, "node": node, "county": county}.items() if v}
    return download(r, table, await build(r, params, now), fmt, now, lang)
