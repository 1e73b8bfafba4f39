"""News routes: HTTP only. Reading is public; writing is the coordinators'."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from htk_community.news.atom import FeedInfo, atom_feed
from htk_community.news.rules import LANGUAGES, check_texts, shown_text
from htk_community.news.schemas import NewsIn, NewsOut
from htk_community.news.store import NewsStore
from htk_contracts.actions import Language
from htk_runtime.auth import Coordinator
from htk_runtime.errors import DomainError, error_answers
from htk_runtime.listing import Cursor, Limit, Page, decode_cursor, page_of

router = APIRouter(tags=["news"])

FEED_SIZE = 30
FEED_TITLES = {
    "fi": ("Uutiset – Hyvinvointia kaikille 2030", "Toimeenpanosuunnitelman uutiset"),
    "sv": ("Nyheter – Välfärd för alla 2030", "Nyheter om genomförandeplanen"),
    "en": ("News – Welfare for all 2030", "News of the plan's implementation"),
}
FEED_AUTHOR = {
    "fi": "Kansanterveyden neuvottelukunta",
    "sv": "Delegationen för folkhälsa",
    "en": "Public Health Advisory Board",
}


def _store(request: Request) -> NewsStore:
    store: NewsStore = request.app.state.service.ctx().state["news"]
    return store


NewsDep = Annotated[NewsStore, Depends(_store)]
Lang = Annotated[
    Language, Query(description="The reader's language; a missing translation falls back")
]


def news_out(doc: dict[str, Any], lang: str) -> NewsOut:
    shown = shown_text(doc["texts"], lang)
    return NewsOut(
        news_id=doc["_id"],
        version=doc["version"],
        state=doc["state"],
        texts=doc["texts"],
        sub_goals=doc["sub_goals"],
        published_at=doc["published_at"],
        updated_at=doc["updated_at"],
        language=Language(shown.language),
        fallback=shown.fallback,
        title=shown.text.get("title", ""),
        summary=shown.text.get("summary", ""),
        body=shown.text.get("body", ""),
    )


def _texts(body: NewsIn) -> dict[str, Any]:
    texts = {
        code.value: text.model_dump()
        for code, text in body.texts.items()
        if any(v.strip() for v in text.model_dump().values())
    }
    check_texts(body.model_dump()["texts"])
    return {code: {k: v.strip() for k, v in t.items()} for code, t in texts.items()}


@router.get("/news", response_model=Page[NewsOut], responses=error_answers())
async def list_news(
    store: NewsDep, limit: Limit = 10, cursor: Cursor = None, lang: Lang = Language.FI
) -> Page[NewsOut]:
    """Published news, newest first (the front page asks for a few, the archive pages on)."""
    docs = await store.page(limit, decode_cursor(cursor))
    page = page_of(docs, limit, lambda d: {"at": d["published_at"].isoformat(), "id": d["_id"]})
    return Page[NewsOut](
        items=[news_out(d, lang) for d in page.items], next_cursor=page.next_cursor, limit=limit
    )


@router.get(
    "/news/feed.{lang}.atom",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}},
        **error_answers(404),
    },
)
async def news_feed(lang: str, request: Request, store: NewsDep) -> Response:
    """The newest news as an Atom 1.0 feed in one language (fi, sv, en); items not written in
    it come in the language they have, marked with ``xml:lang``."""
    if lang not in LANGUAGES:
        raise DomainError(404, "Feeds are in fi, sv and en", "lang")
    base = request.app.state.service.settings.public_url.rstrip("/")
    title, subtitle = FEED_TITLES[lang]
    info = FeedInfo(
        lang=lang,
        title=title,
        subtitle=subtitle,
        author=FEED_AUTHOR[lang],
        self_url=f"{base}/news/feed.{lang}.atom",
        page_url=f"{base}/news?lang={lang}",
        item_url=f"{base}/news/{{id}}?lang={lang}",
        feed_id=f"{base}/news/feed.{lang}.atom",
    )
    docs = await store.page(FEED_SIZE - 1, None)
    items = [{**d, "news_id": d["_id"]} for d in docs]
    return Response(atom_feed(info, items), media_type="application/atom+xml; charset=utf-8")


@router.get("/news/{news_id}", response_model=NewsOut, responses=error_answers(404))
async def get_news(news_id: str, store: NewsDep, lang: Lang = Language.FI) -> NewsOut:
    doc = await store.get(news_id)
    if doc is None or doc["state"] != "published":
        raise DomainError(404, f"No news with id {news_id}", "news_id")
    return news_out(doc, lang)


@router.post("/news", response_model=NewsOut, status_code=201, responses=error_answers(401, 403))
async def publish_news(body: NewsIn, user: Coordinator, store: NewsDep) -> NewsOut:
    """Publish news (coordinators): at least one language with its title."""
    doc = await store.create(user.member_id, _texts(body), body.sub_goals)
    return news_out(doc, user.language)


@router.put("/news/{news_id}", response_model=NewsOut, responses=error_answers(401, 403, 404))
async def edit_news(news_id: str, body: NewsIn, user: Coordinator, store: NewsDep) -> NewsOut:
    doc = await store.change(
        news_id, user.member_id, "updated", texts=_texts(body), sub_goals=body.sub_goals
    )
    return news_out(doc, user.language)


@router.post(
    "/news/{news_id}/withdraw", response_model=NewsOut, responses=error_answers(401, 403, 404)
)
async def withdraw_news(news_id: str, user: Coordinator, store: NewsDep) -> NewsOut:
    """No longer shown in lists, the archive or the feeds."""
    doc = await store.change(news_id, user.member_id, "withdrawn", state="withdrawn")
    return news_out(doc, user.language)
