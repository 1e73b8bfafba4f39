"""HTTP API of the search service."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from htk_runtime.errors import DomainError

from htk_search.backends.base import QueryError, SearchBackend, SearchQuery, SearchResult

router = APIRouter(tags=["search"])


def _backend(request: Request) -> SearchBackend:
    backend: SearchBackend = request.app.state.service.ctx().state["backend"]
    return backend


@router.get("/search")
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=500, description="Search text")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> SearchResult:
    try:
        return await _backend(request).search(SearchQuery(text=q, limit=limit, offset=offset))
    except QueryError as exc:
        raise DomainError(422, exc.message, field=exc.parameter) from exc
