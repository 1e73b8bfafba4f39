"""Good-practice routes: HTTP only. Reading is public; members share their organisation's
experience of a published action; coordinators highlight actions."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from htk_community.deps import Copies
from htk_community.practices.schemas import (
    ExperienceIn,
    ExperienceOut,
    HighlightIn,
    HighlightOut,
)
from htk_community.practices.store import PracticeStore
from htk_runtime.auth import Coordinator, CurrentUser
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.listing import Cursor, Limit, Page, decode_cursor, page_of

router = APIRouter(tags=["good practices"])


def _store(request: Request) -> PracticeStore:
    store: PracticeStore = request.app.state.service.ctx().state["practices"]
    return store


PracticesDep = Annotated[PracticeStore, Depends(_store)]


async def _published(copies: Any, action_id: str) -> dict[str, Any]:
    action = await copies.action(action_id)
    if not action or not action.get("published"):
        raise DomainError(404, f"No published action with id {action_id}", "action_id")
    return dict(action)


@router.get("/practices/experiences", response_model=Page[ExperienceOut], responses=error_answers())
async def list_experiences(
    store: PracticesDep,
    copies: Copies,
    limit: Limit = 20,
    cursor: Cursor = None,
    action_id: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[ExperienceOut]:
    """Experiences shared, newest first; of one action with ``action_id``."""
    docs = await store.experiences_page(action_id, limit, decode_cursor(cursor))
    page = page_of(docs, limit, lambda d: {"at": d["shared_at"].isoformat(), "id": d["_id"]})
    orgs = await copies.organisations_by_id({d["organisation_id"] for d in page.items})
    return Page[ExperienceOut](
        items=[
            ExperienceOut(
                **{k: v for k, v in d.items() if k in ExperienceOut.model_fields},
                experience_id=d["_id"],
                organisation_name=orgs.get(d["organisation_id"], {}).get("name_fi", ""),
                organisation_name_sv=orgs.get(d["organisation_id"], {}).get("name_sv"),
            )
            for d in page.items
        ],
        next_cursor=page.next_cursor,
        limit=limit,
    )


@router.post(
    "/practices/experiences",
    response_model=ExperienceOut,
    status_code=201,
    responses=error_answers(401, 403, 404),
)
async def share_experience(
    body: ExperienceIn, user: CurrentUser, store: PracticesDep, copies: Copies
) -> ExperienceOut:
    """Share your organisation's experience of a published action."""
    if not user.is_member_of(body.organisation_id):
        raise DomainError(
            403, "You can share experiences only for your own organisation", "organisation_id"
        )
    action = await _published(copies, body.action_id)
    fields = body.model_dump(mode="json")
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    doc = await store.share(user.member_id, {**fields, "action_title": action.get("title", "")})
    orgs = await copies.organisations_by_id({body.organisation_id})
    return ExperienceOut(
        **{k: v for k, v in doc.items() if k in ExperienceOut.model_fields},
        experience_id=doc["_id"],
        organisation_name=orgs.get(body.organisation_id, {}).get("name_fi", ""),
        organisation_name_sv=orgs.get(body.organisation_id, {}).get("name_sv"),
    )


def _highlight_out(doc: dict[str, Any]) -> HighlightOut:
    return HighlightOut(
        action_id=doc["_id"],
        action_title=doc.get("action_title", ""),
        highlighted=doc["highlighted"],
        reason=doc.get("reason", ""),
        at=doc["at"],
    )


@router.get("/practices/highlights", response_model=Page[HighlightOut], responses=error_answers())
async def list_highlights(
    store: PracticesDep, limit: Limit = 20, cursor: Cursor = None
) -> Page[HighlightOut]:
    """Actions the coordinators highlight as good practices, latest first."""
    docs = await store.highlights_page(limit, decode_cursor(cursor))
    page = page_of(docs, limit, lambda d: {"at": d["at"].isoformat(), "id": d["_id"]})
    return Page[HighlightOut](
        items=[_highlight_out(d) for d in page.items], next_cursor=page.next_cursor, limit=limit
    )


@router.get(
    "/practices/highlights/{action_id}", response_model=HighlightOut, responses=error_answers(404)
)
async def get_highlight(action_id: str, store: PracticesDep) -> HighlightOut:
    doc = await store.highlight_of(action_id)
    if doc is None:
        raise DomainError(404, f"Action {action_id} was never highlighted", "action_id")
    return _highlight_out(doc)


@router.put(
    "/practices/highlights/{action_id}",
    response_model=HighlightOut,
    responses=error_answers(401, 403, 404),
)
async def highlight_action(
    action_id: str, body: HighlightIn, user: Coordinator, store: PracticesDep, copies: Copies
) -> HighlightOut:
    """Highlight a published action as a good practice, or take the highlight away."""
    action = await _published(copies, action_id)
    doc = await store.highlight(
        action_id, user.member_id, body.highlighted, body.reason.strip(), action.get("title", "")
    )
    return _highlight_out(doc)
