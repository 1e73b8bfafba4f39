"""HTTP API of the search service (the gateway forwards ``/api/v1/search`` here)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from htk_contracts.actions import Language
from htk_contracts.search import FACETS
from htk_runtime.errors import DomainError, error_answers
from htk_search.backends.base import QueryError
from htk_search.community import CommunityResults, CommunitySearch, Kind
from htk_search.engine import SearchEngine
from htk_search.query import Sort
from htk_search.schemas import SearchResponse, SimilarActions, SuggestResponse
from htk_search.store import ReadCopies

router = APIRouter(tags=["search"])

Values = Annotated[list[str] | None, Query()]


def _engine(request: Request) -> SearchEngine:
    engine: SearchEngine = request.app.state.service.ctx().state["engine"]
    return engine


@router.get("/search", response_model=SearchResponse, responses=error_answers())
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=500, description='Search text; "quotes" for phrases')] = "",
    sort: Annotated[Sort | None, Query(description="relevance (default with text) or date")] = None,
    # Bounded below the list maximum: every page of a search costs a ranking.
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=2000, description="next_cursor of the previous page")
    ] = None,
    priority: Values = None,
    sub_goal: Values = None,
    measure: Values = None,
    county: Values = None,
    municipality: Values = None,
    organisation_type: Values = None,
    organisation: Values = None,
    target_group: Values = None,
    inequality_dimension: Values = None,
    state: Values = None,
    year: Values = None,
    language: Values = None,
    good_practice: Annotated[
        list[str] | None,
        Query(description='"yes": only actions the coordinators highlight as good practices'),
    ] = None,
    include_national: Annotated[
        bool,
        Query(description="A county or municipality filter also finds national actions"),
    ] = False,
) -> Response:
    """Published actions matching the text, filtered by facets (values within a facet: any;
    across facets: all), with facet counts, highlights and a cursor to the next page.

    A facet's counts ignore that facet's own filter, so they show what choosing another value
    as well would add. A county or municipality filter finds the actions of that place; with
    ``include_national=true`` national actions too, and the place counts include them."""
    given = locals()
    filters = {facet: given[facet] for facet in FACETS if given[facet]}
    try:
        found = await _engine(request).search(
            q, filters, sort=sort, limit=limit, cursor=cursor, include_national=include_national
        )
    except QueryError as exc:
        raise DomainError(422, exc.message, field=exc.parameter) from exc
    # The answer is built and checked by the engine already; FastAPI would validate it again
    # before serialising (a millisecond of a search's fifteen).
    return Response(found.model_dump_json(), media_type="application/json")


@router.get("/actions/{action_id}/similar", responses=error_answers(404))
async def similar(
    request: Request, action_id: str, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> SimilarActions:
    """Published actions most like this one: possible partners doing similar work."""
    store: ReadCopies = request.app.state.service.ctx().state["store"]
    action = await store.get_action(action_id)
    if action is None:
        raise DomainError(404, "No published action with this id.", field="action_id")
    return await _engine(request).similar(action, limit)


class SimilarToText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=20_000)
    exclude: list[str] = Field(default_factory=list, max_length=100)
    limit: int = Field(default=5, ge=1, le=50)
    language: Language = Language.FI
    measures: list[str] = Field(
        default_factory=list, max_length=50, description="Measure codes: sharing them counts"
    )


@router.post("/similar", responses=error_answers())
async def similar_to_text(request: Request, body: SimilarToText) -> SimilarActions:
    """Published actions like a text, e.g. a draft (the submissions service asks while a member
    writes, to point out likely duplicates)."""
    return await _engine(request).similar_to_text(
        body.text, body.exclude, body.limit, body.language.value, body.measures
    )


@router.get("/suggest", responses=error_answers())
async def suggest(
    request: Request,
    q: Annotated[str, Query(max_length=100, description="What has been typed so far")] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> SuggestResponse:
    """Titles, organisations and measures that start with the typed words."""
    return SuggestResponse(suggestions=await _engine(request).suggest(q, limit))


@router.get("/search/community", response_model=CommunityResults, responses=error_answers())
async def search_community(
    request: Request,
    q: Annotated[str, Query(max_length=500, description='Search text; "quotes" for phrases')] = "",
    type: Annotated[Kind | None, Query(description="news or event; both when absent")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> CommunityResults:
    """News and events matching the text (their own result type beside the actions), with
    how many of each type match."""
    community: CommunitySearch = request.app.state.service.ctx().state["community"]
    try:
        return await community.search(q, type, limit)
    except QueryError as exc:
        raise DomainError(422, exc.message, field=exc.parameter) from exc
