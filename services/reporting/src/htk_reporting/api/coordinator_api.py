"""Coordinator-only: the review pipeline, exports of every table, snapshots."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from htk_reporting.api.downloads import Format, download
from htk_reporting.context import Ctx
from htk_reporting.counting.pipeline import pipeline as pipeline_figures
from htk_reporting.output.yearly import Lang
from htk_reporting.schemas import (
    ExportIndex,
    Pipeline,
    SnapshotCoverage,
    SnapshotSummary,
    table_file,
)
from htk_reporting.store import snapshots as snapshot_store
from htk_reporting.views import snapshots, tables
from htk_reporting.views.figures import coverage_table
from htk_runtime.auth import Coordinator
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.keyset import position_of
from htk_runtime.listing import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of

router = APIRouter(tags=["coordinators"])


@router.get("/coverage/pipeline", response_model=Pipeline, responses=error_answers(401, 403))
async def pipeline(r: Ctx, _: Coordinator) -> dict[str, Any]:
    now = r.now()
    return {**r.meta(now), **await pipeline_figures(r.db, now)}


@router.get("/exports", responses=error_answers(401, 403))
async def export_index(r: Ctx, _: Coordinator) -> ExportIndex:
    return ExportIndex(tables=sorted(tables.ALL_TABLES), formats=["csv", "xlsx"])


@router.get(
    "/exports/{table}.{fmt}",
    response_class=Response,
    responses={200: table_file("The table as CSV or XLSX"), **error_answers(401, 403)},
)
async def export(
    r: Ctx,
    _: Coordinator,
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
    build = tables.ALL_TABLES.get(table)
    if build is None:
        raise DomainError(422, f"No table {table!r}; see /exports", field="table")
    now = r.now()
    params = {k: v for k, v in {"scope": scope, "node": node, "county": county}.items() if v}
    return download(r, table, await build(r, params, now), fmt, now, lang)


class SnapshotRequest(BaseModel):
    year: int = Field(ge=2020, le=2100, description="The reporting year the snapshot closes")
    label: str = Field(default="", max_length=200)


@router.post(
    "/snapshots",
    status_code=201,
    response_model=SnapshotSummary,
    responses=error_answers(401, 403),
)
async def create_snapshot(r: Ctx, user: Coordinator, body: SnapshotRequest) -> dict[str, Any]:
    return await snapshots.freeze(r, body.year, body.label, user.member_id, r.now())


@router.get("/snapshots", responses=error_answers(401, 403))
async def list_snapshots(
    r: Ctx, _: Coordinator, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[SnapshotSummary]:
    """The snapshots made, newest first."""
    docs = await snapshot_store.page(r.db, limit, decode_cursor(cursor))
    page = page_of(docs, limit, lambda d: position_of(d, snapshot_store.NEWEST_FIRST))
    return Page[SnapshotSummary](
        items=[SnapshotSummary.model_validate(snapshots.summary(d)) for d in page.items],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.get(
    "/snapshots/{snapshot_id}/coverage",
    response_model=SnapshotCoverage,
    responses=error_answers(401, 403, 404),
)
async def snapshot_coverage(
    r: Ctx,
    _: Coordinator,
    snapshot_id: str,
    scope: Annotated[str, Query()] = "all",
) -> dict[str, Any]:
    snap = await snapshot_store.summary(r.db, snapshot_id)
    if snap is None:
        raise DomainError(404, f"No snapshot {snapshot_id}")
    r.check_scope(scope)
    docs = await snapshots.cells_of(r, snapshot_id, scope)
    frozen_at = snap["frozen_at"]
    rows = coverage_table(r.plan, docs, scope, frozen_at)
    return {**snapshots.summary(snap), "scope": scope, "rows": rows}
