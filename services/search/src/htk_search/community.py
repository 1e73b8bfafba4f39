"""News and events in search: their own result type beside the actions.

They are analysed exactly as actions are (the same ``Analyser``, the same text fields) and kept
in an index of their own on the same backend kind (tantivy: ``<index dir>/community``,
Elasticsearch: ``<alias>-community``), so an action search never counts them and their hits have
their own shape. In that index the ``state`` facet field holds the result type (``news`` or
``event``): the backends filter and count it as any facet, so the type's counts ignore the type
chosen, as facets do.

Fed by ``community.news.v1`` and ``community.events.v1`` (whole public state per key, with the
item's version): a withdrawn news item or a cancelled event leaves the index; a replay or an
older version changes nothing (the versions are in ``community_versions``). Each public item is
kept in the read copies too (``community_items``), written before the index: the topics keep 30
days, and an index lost with its volume, or set aside for a new schema, is built again from them
(at start when it is empty, and by ``htk search reindex``).
"""

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from htk_contracts import community_news as contract
from htk_contracts.envelope import Envelope
from htk_contracts.search import FACETS
from htk_runtime.versions import VersionLedger
from htk_search.analysis import AnalysedText, Analyser, join
from htk_search.backends.base import SearchBackend
from htk_search.documents import IndexDocument
from htk_search.highlight import fragment
from htk_search.query import Plan, parse_text
from htk_search.store import ReadCopies

Kind = Literal["news", "event"]
TYPE_FIELD = "state"  # the facet field that holds the result type in the community index
NEWS_TYPES = {contract.NEWS_PUBLISHED, contract.NEWS_UPDATED, contract.NEWS_WITHDRAWN}
EVENT_TYPES = {contract.EVENT_ANNOUNCED, contract.EVENT_UPDATED, contract.EVENT_CANCELLED}


class CommunityHit(BaseModel):
    kind: Kind
    id: str
    title: dict[str, str] = Field(description="By language; news may lack some languages")
    summary: dict[str, str] = Field(default_factory=dict)
    language: str = Field(description="The language it is written or held in (news: the first)")
    at: str = Field(description="News: when published; an event: when it starts (UTC)")
    score: float
    snippet: str | None = Field(default=None, description="Marked words of the text, HTML-safe")


class TypeCount(BaseModel):
    value: Kind
    count: int


class CommunityResults(BaseModel):
    """News and events matching a search, best first (the newest first without text): a ranked
    answer of at most ``limit`` beside the actions' results, not a list to page through."""

    total: int
    hits: list[CommunityHit]
    types: list[TypeCount]


def _merge(parts: list[AnalysedText]) -> AnalysedText:
    return AnalysedText(
        raw=[t for p in parts for t in p.raw],
        lemma=[t for p in parts for t in p.lemma],
        seq=[t for p in parts for t in p.seq],
    )


def _document(
    kind: Kind,
    item_id: str,
    version: int,
    titles: dict[str, str],
    bodies: dict[str, str],
    payload: dict[str, Any],
    at: datetime,
    analyser: Analyser,
) -> IndexDocument:
    title = _merge([analyser.analyse(text, lang) for lang, text in titles.items()])
    body = _merge([analyser.analyse(text, lang) for lang, text in bodies.items()])
    facets: dict[str, list[str]] = {name: [] for name in FACETS}
    facets[TYPE_FIELD] = [kind]
    facets["language"] = sorted(titles)
    facets["year"] = [str(at.year)]
    return IndexDocument(
        action_id=f"{kind}:{item_id}",
        version=version,
        text={
            "title_raw": join(title.raw),
            "title_lemma": join(title.lemma),
            "title_seq": join(title.seq),
            "body_raw": join(body.raw),
            "body_lemma": join(body.lemma),
            "body_seq": join(body.seq),
        },
        facets=facets,
        national=True,
        updated_at=at,
        suggest="",
        payload_json=json.dumps(payload, ensure_ascii=False),
    )


def news_document(item: contract.NewsItem, version: int, analyser: Analyser) -> IndexDocument:
    texts = {lang.value: text for lang, text in item.texts.items()}
    return _document(
        "news",
        item.news_id,
        version,
        {lang: t.title for lang, t in texts.items()},
        {lang: f"{t.summary}\n{t.body}" for lang, t in texts.items()},
        {
            "kind": "news",
            "id": item.news_id,
            "title": {lang: t.title for lang, t in texts.items()},
            "summary": {lang: t.summary or t.body[:300] for lang, t in texts.items()},
            "language": next(iter(texts), "fi"),
            "at": item.published_at.isoformat(),
        },
        item.published_at,
        analyser,
    )


def event_document(
    event: contract.CommunityEvent, version: int, analyser: Analyser
) -> IndexDocument:
    lang = event.language.value
    return _document(
        "event",
        event.event_id,
        version,
        {lang: event.title},
        {lang: "\n".join([event.description, event.organiser, event.place])},
        {
            "kind": "event",
            "id": event.event_id,
            "title": {lang: event.title},
            "summary": {lang: event.description[:300]},
            "language": lang,
            "at": event.starts_at.isoformat(),
        },
        event.starts_at,
        analyser,
    )


Item = contract.NewsItem | contract.CommunityEvent
ITEMS: dict[str, type[Item]] = {"news": contract.NewsItem, "event": contract.CommunityEvent}


def item_document(item: Item, version: int, analyser: Analyser) -> IndexDocument:
    if isinstance(item, contract.NewsItem):
        return news_document(item, version, analyser)
    return event_document(item, version, analyser)


class CommunitySearch:
    def __init__(
        self,
        backend: SearchBackend,
        analyser: Analyser,
        ledger: VersionLedger,
        store: ReadCopies,
    ) -> None:
        self.backend = backend
        self.analyser = analyser
        self.ledger = ledger
        self.store = store

    async def rebuild(self) -> int:
        """The index built again from the kept items, switched to when whole."""

        async def documents() -> AsyncIterator[IndexDocument]:
            async for kind, version, item in self.store.community_items():
                yield item_document(ITEMS[kind].model_validate(item), version, self.analyser)

        return await self.backend.rebuild(documents())

    async def restore(self) -> bool:
        """At start: an index that is empty (a lost volume) or set aside for a new schema while
        items are kept is built again. True if it was."""
        stale = bool(getattr(self.backend, "stale", False))
        if (stale or await self.backend.count() == 0) and await self.store.has_community_items():
            await self.rebuild()
            return True
        return False

    async def apply(self, envelope: Envelope[dict[str, Any]]) -> None:
        if envelope.type in NEWS_TYPES:
            kind: Kind = "news"
        elif envelope.type in EVENT_TYPES:
            kind = "event"
        else:
            return
        key = f"{kind}:{envelope.subject}"
        if not await self.ledger.is_newer(key, envelope.aggregateversion):
            return
        item = ITEMS[kind].model_validate(envelope.data)
        public = (
            item.state == contract.NewsState.PUBLISHED
            if isinstance(item, contract.NewsItem)
            else item.state == contract.EventState.ANNOUNCED
        )
        # The kept item first: if the index then fails, the event is applied again.
        if public:
            version = envelope.aggregateversion
            await self.store.put_community_item(key, kind, version, item.model_dump(mode="json"))
            await self.backend.upsert(item_document(item, version, self.analyser))
        else:
            await self.store.remove_community_item(key)
            await self.backend.delete(key)
        # After the index changed: a crash in between applies the same version again.
        await self.ledger.record(key, envelope.aggregateversion)

    async def search(self, text: str, kind: Kind | None, limit: int) -> CommunityResults:
        groups, phrases = parse_text(self.analyser, text)
        plan = Plan(
            groups=groups,
            phrases=phrases,
            filters={TYPE_FIELD: [kind]} if kind else {},
            sort="relevance" if groups or phrases else "date",
        )
        page = await self.backend.search(plan, limit=limit, state=None, facets=True)
        terms = plan.highlight_terms()
        items = []
        for payload, score in page.hits:
            language = payload["language"]
            found = fragment(self.analyser, payload["summary"].get(language, ""), terms)
            items.append(
                CommunityHit.model_validate(
                    {**payload, "score": score, "snippet": found[1] if found else None}
                )
            )
        counts = page.facets.get(TYPE_FIELD, {})
        return CommunityResults(
            hits=items,
            total=page.total,
            types=[TypeCount(value=k, count=counts.get(k, 0)) for k in ("news", "event")],
        )
