"""Bulk import endpoints, for coordinators moving existing spreadsheets in."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile

from htk_runtime.auth import Coordinator
from htk_runtime.errors import DomainError, error_answers
from htk_submissions.importer import parse_row, read_rows, template
from htk_submissions.schemas import ImportResult
from htk_submissions.store import ActionStore
from htk_submissions.validation import check_references

router = APIRouter(prefix="/imports", tags=["imports"])

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/template.{kind}",
    response_class=Response,
    responses={
        200: {
            "description": "An empty spreadsheet with the columns an import reads",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in MEDIA.values()
            },
        },
        **error_answers(404),
    },
)
async def import_template(kind: str) -> Response:
    if kind not in MEDIA:
        raise DomainError(404, "Templates exist as .csv and .xlsx", field="kind")
    return Response(
        template(kind),
        media_type=MEDIA[kind],
        headers={"content-disposition": f'attachment; filename="htk-actions-template.{kind}"'},
    )


@router.post("", response_model=ImportResult, responses=error_answers(401, 403, 413))
async def import_actions(
    request: Request,
    user: Coordinator,
    file: Annotated[
        UploadFile, File(description="A .csv or .xlsx file; the first row names the columns")
    ],
    dry_run: Annotated[bool, Query(description="Only check the rows")] = True,
) -> dict[str, Any]:
    ctx = request.app.state.service.ctx()
    store: ActionStore = ctx.state["store"]
    data = await file.read()
    results = []
    for number, cells in read_rows(file.filename or "", data):
        result = parse_row(number, cells)
        if result.content is not None and not result.errors:
            try:
                result.plan_version = await check_references(
                    result.content, ctx.state["copies"], ctx.state["geography"]
                )
            except DomainError as exc:
                if exc.status_code != 422:
                    raise
                result.errors.extend(
                    {
                        "row": number,
                        "column": e["field"].split(".")[0],
                        "type": e.get("type", ""),
                        "message": e["message"],
                    }
                    for e in exc.errors
                )
        results.append(result)
    valid = [r for r in results if not r.errors]
    imported = already = 0
    for result in valid:
        assert result.content is not None
        if await store.find_import(result.import_key):
            already += 1
        elif not dry_run:
            created = await store.create(
                user,
                result.content,
                import_key=result.import_key,
                publish_as_plan_version=result.plan_version,
            )
            if created.replayed:  # a concurrent run imported the same row first
                already += 1
            else:
                imported += 1
    return {
        "dry_run": dry_run,
        "rows": len(results),
        "valid_rows": len(valid),
        "imported": imported,
        "already_imported": already,
        "errors": [e for r in results for e in r.errors],
    }
