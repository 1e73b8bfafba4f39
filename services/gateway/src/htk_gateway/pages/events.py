"""Events for members in the browser: the upcoming list with its filters (kind of
organisation, county, sub-goal), past events with their materials, one event, iCalendar
downloads, and the form where coordinators and organisations' members announce them. Times are
shown and entered in Finnish time."""

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from htk_contracts.catalogue import OrganisationType
from htk_contracts.community_news import EventKind
from htk_gateway.pages.news import LANGUAGES, form_errors, sub_goals
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.forms import as_list
from htk_gateway.web.guards import (
    MEMBER_WRITE,
    Form,
    Reader,
    SignedIn,
    limit_writes,
)
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

HELSINKI = ZoneInfo("Europe/Helsinki")
FILTERS = ("organisation_type", "county", "sub_goal")
LIST_PAGE = 20
TEXTS = (
    "title",
    "description",
    "place",
    "online_url",
    "organiser",
    "registration_url",
    "materials_url",
)


def _filters(request: Request) -> dict[str, str]:
    return {k: request.query_params[k] for k in FILTERS if request.query_params.get(k)}


async def upcoming_events(request: Request, limit: int = 3) -> list[dict[str, Any]]:
    """For the front page: nothing (rather than an error) when the service is away."""
    found = await read(request, None, "community", "/events", params={"limit": limit})
    return list((found or {}).get("items", []))


async def _choices(request: Request) -> dict[str, Any]:
    return {
        "organisation_types": [t.value for t in OrganisationType],
        "event_kinds": [k.value for k in EventKind],
        "counties": await reference.counties(request),
        "sub_goals": await sub_goals(request),
        "languages": LANGUAGES,
    }


@router.get("/events", response_class=HTMLResponse)
async def events_list(
    request: Request,
    v: Reader,
    cursor: str | None = None,
    past: bool = False,
    done: str | None = None,
) -> Response:
    chosen = _filters(request)
    params: dict[str, Any] = {**chosen, "limit": LIST_PAGE, "past": str(past).lower()}
    if cursor:
        params["cursor"] = cursor
    answer = await call(request, None, "community", "GET", "/events", params=params)
    if answer.status_code == 422:
        message, errors = error_list(answer)
        raise DomainError(422, message, errors=errors)
    page = answer.json() if answer.status_code == 200 else {"items": []}
    places = {c["code"]: c for c in await reference.counties(request)}
    next_query = None
    if page.get("next_cursor"):
        extra = [("past", "true")] if past else []
        next_query = urlencode([*chosen.items(), *extra, ("cursor", page["next_cursor"])])
    return render(
        v,
        "events_list.html",
        items=page.get("items", []),
        next_query=next_query,
        chosen=chosen,
        past=past,
        feed_query=urlencode(chosen),
        places=places,
        nodes=reference.plan_nodes(await reference.plan(request)),
        done=done if done and v.t.has(f"done.{done}") else None,
        **await _choices(request),
    )


async def _forward_calendar(request: Request, path: str, params: Any = None) -> Response:
    answer = await call(request, None, "community", "GET", path, params=params)
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code if answer.status_code < 500 else 503, message)
    return Response(
        answer.content,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": answer.headers.get(
                "content-disposition", 'attachment; filename="events.ics"'
            )
        },
    )


@router.get("/events/feed.ics")
async def events_feed(request: Request) -> Response:
    return await _forward_calendar(request, "/events/feed.ics", _filters(request))


@router.get("/events/{event_id}.ics")
async def event_ics(event_id: str, request: Request) -> Response:
    return await _forward_calendar(request, f"/events/{event_id}.ics")


def _own_organisations(user: User, names: dict[str, Any]) -> list[dict[str, Any]]:
    return [names.get(o, {"id": o, "name_fi": o}) for o in user.organisations]


def _local_input(value: Any) -> str:
    """A stored UTC time as the form's ``datetime-local`` value in Finnish time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M")


def event_payload(form: dict[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str:
        return str(form.get(name) or "").replace("\r\n", "\n").strip()

    payload: dict[str, Any] = {name: text(name) for name in TEXTS}
    for optional in ("online_url", "registration_url", "materials_url"):
        payload[optional] = payload[optional] or None
    payload["event_kind"] = text("event_kind") or None
    payload["language"] = text("language") or None
    # The form's times are Finnish time without an offset; the service reads them so.
    payload["starts_at"] = text("starts_at") or None
    payload["ends_at"] = text("ends_at") or None
    payload["organisation_id"] = text("organisation_id") or None
    for listed in ("organisation_types", "counties", "sub_goals"):
        payload[listed] = as_list(form.get(listed))
    return payload


def event_form(event: dict[str, Any]) -> dict[str, Any]:
    form = {k: event.get(k) or "" for k in (*TEXTS, "event_kind", "language", "organisation_id")}
    form["starts_at"] = _local_input(event.get("starts_at"))
    form["ends_at"] = _local_input(event.get("ends_at"))
    for listed in ("organisation_types", "counties", "sub_goals"):
        form[listed] = event.get(listed) or []
    return form


async def _form_page(
    request: Request,
    v: Viewer,
    user: User,
    form: dict[str, Any],
    errors: dict[str, str],
    event_id: str | None = None,
    status: int = 200,
) -> Response:
    names = await reference.organisation_names(request)
    form = {
        **form,
        **{k: as_list(form.get(k)) for k in ("organisation_types", "counties", "sub_goals")},
    }
    return render(
        v,
        "event_form.html",
        status_code=status,
        form=form,
        errors=errors,
        event_id=event_id,
        own_organisations=_own_organisations(user, names),
        **await _choices(request),
    )


def _announcer(user: SignedIn) -> User:
    if not (user.coordinator or user.organisations):
        raise DomainError(403, "Members of an approved organisation announce events")
    return user


# A coordinator or a member of an organisation: who may announce an event.
Announcer = Annotated[User, Depends(_announcer)]


async def _announcer_writes(request: Request, form: Form, user: Announcer) -> None:
    # As web.guards' write guards: the CSRF check, the caller, then the write limit, so a
    # member who may not announce is refused before the limit counts the request.
    await limit_writes(request, user)


ANNOUNCER_WRITE = Depends(_announcer_writes)


@router.get("/events/new", response_class=HTMLResponse)
async def new_event_page(request: Request, v: Reader, user: Announcer) -> Response:
    first = next(iter(user.organisations), "")
    return await _form_page(
        request,
        v,
        user,
        {"language": v.lang, "event_kind": "webinar", "organisation_id": first},
        {},
    )


@router.post("/events/new", response_class=HTMLResponse, dependencies=[ANNOUNCER_WRITE])
async def announce_event(request: Request, form: Form, v: Reader, user: Announcer) -> Response:
    answer = await call(request, user, "community", "POST", "/events", json=event_payload(form))
    if answer.status_code == 201:
        return redirect(v, f"/events/{answer.json()['event_id']}?done=event_announced")
    return await _form_page(request, v, user, form, form_errors(v, answer, "event"), status=422)


async def _event(request: Request, event_id: str) -> dict[str, Any]:
    found = await read(request, None, "community", f"/events/{event_id}")
    if not isinstance(found, dict):
        raise DomainError(404, "No such event")
    return found


def may_change(v: Viewer, event: dict[str, Any]) -> bool:
    if v.user is None:
        return False
    return v.user.coordinator or bool(
        event.get("organisation_id") and v.user.is_member_of(event["organisation_id"])
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
async def event_page(
    event_id: str, request: Request, v: Reader, done: str | None = None
) -> Response:
    event = await _event(request, event_id)
    return render(
        v,
        "event.html",
        event=event,
        places={c["code"]: c for c in await reference.counties(request)},
        nodes=reference.plan_nodes(await reference.plan(request)),
        may_change=may_change(v, event),
        done=done if done and v.t.has(f"done.{done}") else None,
    )


@router.get("/events/{event_id}/edit", response_class=HTMLResponse)
async def edit_event_page(event_id: str, request: Request, v: Reader, user: SignedIn) -> Response:
    event = await _event(request, event_id)
    if not may_change(v, event):
        raise DomainError(403, "Only the organisation's members and the coordinators can change it")
    return await _form_page(request, v, user, event_form(event), {}, event_id)


@router.post("/events/{event_id}/edit", response_class=HTMLResponse, dependencies=[MEMBER_WRITE])
async def edit_event(
    event_id: str, request: Request, form: Form, v: Reader, user: SignedIn
) -> Response:
    answer = await call(
        request, user, "community", "PUT", f"/events/{event_id}", json=event_payload(form)
    )
    if answer.status_code == 200:
        return redirect(v, f"/events/{event_id}?done=event_saved")
    if answer.status_code in (403, 404):
        message, _ = error_list(answer)
        raise DomainError(answer.status_code, message or "Refused")
    return await _form_page(request, v, user, form, form_errors(v, answer, "event"), event_id, 422)


@router.post("/events/{event_id}/cancel", response_class=HTMLResponse, dependencies=[MEMBER_WRITE])
async def cancel_event(event_id: str, request: Request, v: Reader, user: SignedIn) -> Response:
    answer = await call(request, user, "community", "POST", f"/events/{event_id}/cancel")
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code if answer.status_code < 500 else 503, message)
    return redirect(v, f"/events/{event_id}?done=event_cancelled")
