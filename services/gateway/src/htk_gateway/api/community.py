"""The public JSON API of news, events and good practices under ``/api/v1``, answered by the
community service. Each route declares its answer and its error answers
(:func:`htk_gateway.api_contract.relayed`) so that it is in the public document; the parameters
and bodies come from community's own operations, where they are checked.
Reading is public; writes need a session with its CSRF header or an organisation's API token."""

from fastapi import APIRouter, Depends, Request, Response

from htk_contracts.actions import Language
from htk_gateway.api import schemas_community as c
from htk_gateway.api.contract import relayed
from htk_gateway.api.routes import API_WRITE, _list, _to
from htk_gateway.api.schemas import file_answer
from htk_gateway.api_tokens.caller import api_caller

router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_caller)])

SERVICE = "community"
# A write also needs a caller (401), a session's CSRF token or a writing API token (403) and
# stays within the write rate (429), before community's own refusals.
WRITE = (401, 403, 429)
ATOM = file_answer("application/atom+xml", description="An Atom 1.0 feed")
ICS = file_answer("text/calendar", description="An iCalendar file")


# Lists relay ``limit``, ``cursor`` and their filters to community as they come: community
# checks them and its defaults (a few news for the front page) are the ones documented.


async def _read(request: Request, path: str) -> Response:
    return await _to(request, SERVICE, "GET", path, write=False)


async def _write(request: Request, method: str, path: str) -> Response:
    return await _to(request, SERVICE, method, path, write=True)


# -- news -------------------------------------------------------------------------------------


@router.get("/news", tags=["news"], **relayed(SERVICE, "/news", model=c.NewsPage))
async def list_news(request: Request) -> Response:
    """Published news, newest first, in the language asked for (``lang``)."""
    return await _list(request, SERVICE, "/news")


@router.post(
    "/news",
    tags=["news"],
    status_code=201,
    **relayed(SERVICE, "/news", model=c.News, errors=WRITE),
    dependencies=[API_WRITE],
)
async def publish_news(request: Request) -> Response:
    """A coordinator publishes news in any of fi, sv and en."""
    return await _write(request, "POST", "/news")


@router.get(
    "/news/feed.{lang}.atom",
    tags=["news"],
    **relayed(SERVICE, "/news/feed.{lang}.atom", files=ATOM),
)
async def news_feed(lang: Language, request: Request) -> Response:
    """The newest news as an Atom feed in one language; items not written in it come in the
    language they have, marked with ``xml:lang``."""
    return await _read(request, f"/news/feed.{lang.value}.atom")


@router.get(
    "/news/{news_id}",
    tags=["news"],
    **relayed(SERVICE, "/news/{news_id}", model=c.News, errors=(404,)),
)
async def get_news(news_id: str, request: Request) -> Response:
    return await _read(request, f"/news/{news_id}")


@router.put(
    "/news/{news_id}",
    tags=["news"],
    **relayed(SERVICE, "/news/{news_id}", model=c.News, errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def edit_news(news_id: str, request: Request) -> Response:
    return await _write(request, "PUT", f"/news/{news_id}")


@router.post(
    "/news/{news_id}/withdraw",
    tags=["news"],
    **relayed(SERVICE, "/news/{news_id}/withdraw", model=c.News, errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def withdraw_news(news_id: str, request: Request) -> Response:
    return await _write(request, "POST", f"/news/{news_id}/withdraw")


# -- events -----------------------------------------------------------------------------------


@router.get(
    "/events",
    tags=["events"],
    **relayed(SERVICE, "/events", model=c.EventPage),
)
async def list_events(request: Request) -> Response:
    return await _list(request, SERVICE, "/events")


@router.post(
    "/events",
    tags=["events"],
    status_code=201,
    **relayed(SERVICE, "/events", model=c.Event, errors=WRITE),
    dependencies=[API_WRITE],
)
async def announce_event(request: Request) -> Response:
    """Coordinators and an organisation's members announce an event."""
    return await _write(request, "POST", "/events")


# Declared before "/events/{event_id}", which would take them.
@router.get("/events/feed.ics", tags=["events"], **relayed(SERVICE, "/events/feed.ics", files=ICS))
async def events_feed(request: Request) -> Response:
    return await _read(request, "/events/feed.ics")


@router.get(
    "/events/{event_id}.ics",
    tags=["events"],
    **relayed(SERVICE, "/events/{event_id}.ics", files=ICS, errors=(404,)),
)
async def event_ics(event_id: str, request: Request) -> Response:
    return await _read(request, f"/events/{event_id}.ics")


@router.get(
    "/events/{event_id}",
    tags=["events"],
    **relayed(SERVICE, "/events/{event_id}", model=c.Event, errors=(404,)),
)
async def get_event(event_id: str, request: Request) -> Response:
    return await _read(request, f"/events/{event_id}")


@router.put(
    "/events/{event_id}",
    tags=["events"],
    **relayed(SERVICE, "/events/{event_id}", model=c.Event, errors=(*WRITE, 404, 409)),
    dependencies=[API_WRITE],
)
async def edit_event(event_id: str, request: Request) -> Response:
    return await _write(request, "PUT", f"/events/{event_id}")


@router.post(
    "/events/{event_id}/cancel",
    tags=["events"],
    **relayed(SERVICE, "/events/{event_id}/cancel", model=c.Event, errors=(*WRITE, 404, 409)),
    dependencies=[API_WRITE],
)
async def cancel_event(event_id: str, request: Request) -> Response:
    return await _write(request, "POST", f"/events/{event_id}/cancel")


# -- good practices ---------------------------------------------------------------------------


@router.get(
    "/practices/experiences",
    tags=["good practices"],
    **relayed(SERVICE, "/practices/experiences", model=c.ExperiencePage),
)
async def list_experiences(request: Request) -> Response:
    return await _list(request, SERVICE, "/practices/experiences")


@router.post(
    "/practices/experiences",
    tags=["good practices"],
    status_code=201,
    **relayed(SERVICE, "/practices/experiences", model=c.Experience, errors=(*WRITE, 404)),
    dependencies=[API_WRITE],
)
async def share_experience(request: Request) -> Response:
    """A member shares an experience of a published action for one of their organisations."""
    return await _write(request, "POST", "/practices/experiences")


@router.get(
    "/practices/highlights",
    tags=["good practices"],
    **relayed(SERVICE, "/practices/highlights", model=c.HighlightPage),
)
async def list_highlights(request: Request) -> Response:
    return await _list(request, SERVICE, "/practices/highlights")


@router.get(
    "/practices/highlights/{action_id}",
    tags=["good practices"],
    **relayed(SERVICE, "/practices/highlights/{action_id}", model=c.Highlight, errors=(404,)),
)
async def get_highlight(action_id: str, request: Request) -> Response:
    return await _read(request, f"/practices/highlights/{action_id}")


@router.put(
    "/practices/highlights/{action_id}",
    tags=["good practices"],
    **relayed(
        SERVICE, "/practices/highlights/{action_id}", model=c.Highlight, errors=(*WRITE, 404)
    ),
    dependencies=[API_WRITE],
)
async def highlight_action(action_id: str, request: Request) -> Response:
    """A coordinator highlights a published action as a good practice, or stops."""
    return await _write(request, "PUT", f"/practices/highlights/{action_id}")
