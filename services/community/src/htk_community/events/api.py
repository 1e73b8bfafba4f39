"""Event routes: HTTP only. Reading is public; coordinators and organisations' members
announce and change events."""

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request, Response

from htk_community.events.ical import calendar
from htk_community.events.rules import (
    as_utc,
    check_event,
    check_may_announce,
    check_may_change,
)
from htk_community.events.schemas import EventIn, EventOut
from htk_community.events.store import EventStore
from htk_contracts.catalogue import OrganisationType
from htk_contracts.community_news import EventState
from htk_runtime.auth import CurrentUser
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.listing import Cursor, Limit, Page, decode_cursor, page_of

router = APIRouter(tags=["events"])

FEED_SIZE = 200
CALENDAR_NAME = "HTK – tapahtumat / evenemang / events"


def _store(request: Request) -> EventStore:
    store: EventStore = request.app.state.service.ctx().state["events"]
    return store


EventsDep = Annotated[EventStore, Depends(_store)]


class Filters:
    """The list's filters, as a dependency so that the list and the feed take the same ones."""

    def __init__(
        self,
        organisation_type: Annotated[
            OrganisationType | None, Query(description="Events for this kind of organisation")
        ] = None,
        county: Annotated[
            str | None,
            Query(pattern=r"^[0-9]{2}$", description="Wellbeing services county code"),
        ] = None,
        sub_goal: Annotated[
            str | None, Query(pattern=r"^[0-9]{1,2}\.[0-9]{1,2}$", description="e.g. 1.2")
        ] = None,
    ) -> None:
        self.organisation_type = organisation_type.value if organisation_type else None
        self.county = county
        self.sub_goal = sub_goal


FiltersDep = Annotated[Filters, Depends()]


def event_out(doc: dict[str, Any], now: datetime | None = None) -> EventOut:
    now = now or datetime.now(UTC)
    return EventOut.model_validate({**doc, "event_id": doc["_id"], "past": doc["ends_at"] <= now})


def _fields(body: EventIn) -> dict[str, Any]:
    fields = body.model_dump(mode="python")
    for name in ("starts_at", "ends_at"):
        try:
            fields[name] = as_utc(getattr(body, name))
        except (OverflowError, ValueError) as exc:
            # A time at the edge of the calendar has no Finnish or UTC equivalent.
            raise DomainError(422, f"{name} is out of range", name) from exc
    for key in ("event_kind", "language"):
        fields[key] = str(fields[key].value if hasattr(fields[key], "value") else fields[key])
    fields["organisation_types"] = [t.value for t in body.organisation_types]
    fields["title"] = body.title.strip()
    fields["organiser"] = body.organiser.strip()
    check_event(fields)
    return fields


def _key(doc: dict[str, Any]) -> dict[str, Any]:
    return {"at": doc["starts_at"].isoformat(), "id": doc["_id"]}


@router.get("/events", response_model=Page[EventOut], responses=error_answers())
async def list_events(
    store: EventsDep,
    filters: FiltersDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    past: Annotated[
        bool, Query(description="Past events, latest first, instead of upcoming ones")
    ] = False,
) -> Page[EventOut]:
    """Upcoming events soonest first (or past ones, which keep their materials link)."""
    now = datetime.now(UTC)
    docs = await store.page(
        now=now,
        past=past,
        organisation_type=filters.organisation_type,
        county=filters.county,
        sub_goal=filters.sub_goal,
        limit=limit,
        after=decode_cursor(cursor),
    )
    page = page_of(docs, limit, _key)
    return Page[EventOut](
        items=[event_out(d, now) for d in page.items], next_cursor=page.next_cursor, limit=limit
    )


def _calendar_response(docs: list[dict[str, Any]], request: Request, filename: str) -> Response:
    base = request.app.state.service.settings.public_url.rstrip("/")
    body = calendar(
        [{**d, "event_id": d["_id"]} for d in docs],
        host=urlsplit(base).hostname or "htk",
        page_url=f"{base}/events/{{id}}",
        name=CALENDAR_NAME if len(docs) != 1 or filename == "events.ics" else None,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}
}


@router.get("/events/feed.ics", response_class=Response, responses={**ICS, **error_answers()})
async def events_feed(request: Request, store: EventsDep, filters: FiltersDep) -> Response:
    """Upcoming events as one iCalendar feed, with the same filters as the list."""
    docs = await store.page(
        now=datetime.now(UTC),
        past=False,
        organisation_type=filters.organisation_type,
        county=filters.county,
        sub_goal=filters.sub_goal,
        limit=FEED_SIZE,
        after=None,
    )
    return _calendar_response(docs[:FEED_SIZE], request, "events.ics")


@router.get(
    "/events/{event_id}.ics", response_class=Response, responses={**ICS, **error_answers(404)}
)
async def event_ics(event_id: str, request: Request, store: EventsDep) -> Response:
    """One event as an iCalendar file to add to a calendar."""
    doc = await store.get(event_id)
    if doc is None:
        raise DomainError(404, f"No event with id {event_id}", "event_id")
    return _calendar_response([doc], request, f"event-{event_id}.ics")


@router.get("/events/{event_id}", response_model=EventOut, responses=error_answers(404))
async def get_event(event_id: str, store: EventsDep) -> EventOut:
    doc = await store.get(event_id)
    if doc is None:
        raise DomainError(404, f"No event with id {event_id}", "event_id")
    return event_out(doc)


@router.post("/events", response_model=EventOut, status_code=201, responses=error_answers(401, 403))
async def announce_event(body: EventIn, user: CurrentUser, store: EventsDep) -> EventOut:
    """Announce an event: coordinators for anyone, members for their own organisation."""
    check_may_announce(user, body.organisation_id)
    return event_out(await store.create(user.member_id, _fields(body)))


@router.put(
    "/events/{event_id}", response_model=EventOut, responses=error_answers(401, 403, 404, 409)
)
async def edit_event(event_id: str, body: EventIn, user: CurrentUser, store: EventsDep) -> EventOut:
    """Change an event, for example add its materials link after it."""
    fields = _fields(body)
    if body.organisation_id:
        check_may_announce(user, body.organisation_id)

    def authorise(held: dict[str, Any]) -> None:
        check_may_change(user, held)

    return event_out(await store.change(event_id, user.member_id, "updated", authorise, fields))


@router.post(
    "/events/{event_id}/cancel",
    response_model=EventOut,
    responses=error_answers(401, 403, 404, 409),
)
async def cancel_event(event_id: str, user: CurrentUser, store: EventsDep) -> EventOut:
    def authorise(held: dict[str, Any]) -> None:
        check_may_change(user, held)
        if held["state"] == EventState.CANCELLED.value:
            raise DomainError(409, "The event is cancelled already", "event_id")

    return event_out(
        await store.change(event_id, user.member_id, "cancelled", authorise, {"state": "cancelled"})
    )
