"""The public JSON API of news, events and good practices under ``/api/v1``, forwarded to the
community service (which declares the request and response models the merged OpenAPI document
shows).
Reading is public; writes need a session with its CSRF header or an organisation's API token."""

from fastapi import APIRouter, Depends, Request, Response

from htk_gateway.api.routes import API_WRITE, _to
from htk_gateway.api_tokens.caller import api_caller

router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_caller)])


async def _community(request: Request, method: str, path: str, *, write: bool) -> Response:
    return await _to(request, "community", method, path, write=write)


@router.get("/news", tags=["news"])
async def list_news(request: Request) -> Response:
    return await _community(request, "GET", "/news", write=False)


@router.post("/news", tags=["news"], status_code=201, dependencies=[API_WRITE])
async def publish_news(request: Request) -> Response:
    return await _community(request, "POST", "/news", write=True)


@router.get("/news/feed.{lang}.atom", tags=["news"])
async def news_feed(lang: str, request: Request) -> Response:
    return await _community(request, "GET", f"/news/feed.{lang}.atom", write=False)


@router.get("/news/{news_id}", tags=["news"])
async def get_news(news_id: str, request: Request) -> Response:
    return await _community(request, "GET", f"/news/{news_id}", write=False)


@router.put("/news/{news_id}", tags=["news"], dependencies=[API_WRITE])
async def edit_news(news_id: str, request: Request) -> Response:
    return await _community(request, "PUT", f"/news/{news_id}", write=True)


@router.post("/news/{news_id}/withdraw", tags=["news"], dependencies=[API_WRITE])
async def withdraw_news(news_id: str, request: Request) -> Response:
    return await _community(request, "POST", f"/news/{news_id}/withdraw", write=True)


@router.get("/events", tags=["events"])
async def list_events(request: Request) -> Response:
    return await _community(request, "GET", "/events", write=False)


@router.post("/events", tags=["events"], status_code=201, dependencies=[API_WRITE])
async def announce_event(request: Request) -> Response:
    return await _community(request, "POST", "/events", write=True)


@router.get("/events/feed.ics", tags=["events"])
async def events_feed(request: Request) -> Response:
    return await _community(request, "GET", "/events/feed.ics", write=False)


@router.get("/events/{event_id}.ics", tags=["events"])
async def event_ics(event_id: str, request: Request) -> Response:
    return await _community(request, "GET", f"/events/{event_id}.ics", write=False)


@router.get("/events/{event_id}", tags=["events"])
async def get_event(event_id: str, request: Request) -> Response:
    return await _community(request, "GET", f"/events/{event_id}", write=False)


@router.put("/events/{event_id}", tags=["events"], dependencies=[API_WRITE])
async def edit_event(event_id: str, request: Request) -> Response:
    return await _community(request, "PUT", f"/events/{event_id}", write=True)


@router.post("/events/{event_id}/cancel", tags=["events"], dependencies=[API_WRITE])
async def cancel_event(event_id: str, request: Request) -> Response:
    return await _community(request, "POST", f"/events/{event_id}/cancel", write=True)


@router.get("/practices/experiences", tags=["good practices"])
async def list_experiences(request: Request) -> Response:
    return await _community(request, "GET", "/practices/experiences", write=False)


@router.post(
    "/practices/experiences", tags=["good practices"], status_code=201, dependencies=[API_WRITE]
)
async def share_experience(request: Request) -> Response:
    return await _community(request, "POST", "/practices/experiences", write=True)


@router.get("/practices/highlights", tags=["good practices"])
async def list_highlights(request: Request) -> Response:
    return await _community(request, "GET", "/practices/highlights", write=False)


@router.get("/practices/highlights/{action_id}", tags=["good practices"])
async def get_highlight(action_id: str, request: Request) -> Response:
    return await _community(request, "GET", f"/practices/highlights/{action_id}", write=False)


@router.put("/practices/highlights/{action_id}", tags=["good practices"], dependencies=[API_WRITE])
async def highlight_action(action_id: str, request: Request) -> Response:
    return await _community(request, "PUT", f"/practices/highlights/{action_id}", write=True)
