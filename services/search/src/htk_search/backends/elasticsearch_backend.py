"""The production search backend: Elasticsearch 8 behind an alias.

The index settings and mapping are versioned in ``elasticsearch_index_v<N>.json`` next to this
module; at start the backend creates ``<alias>-v<N>-<suffix>`` with them and the alias if the alias
is missing. Texts arrive analysed (htk_search.analysis), so the mapping splits on whitespace only
and ranking does not depend on Elasticsearch's analysers. A rebuild fills a new index and moves
the alias in one atomic ``_aliases`` call.

Cursors carry a point in time and the last hit's sort values, so paging stays stable while the
index changes.
"""

import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from importlib import resources
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError
from elasticsearch.helpers import async_streaming_bulk

from htk_contracts.search import FACETS
from htk_search.backends.base import Page, Progress, QueryError, terms_aggregation
from htk_search.documents import AREA_FACETS, TEXT_FIELDS, IndexDocument
from htk_search.query import (
    ALL_WORDS_SCORE,
    DERIVED_WEIGHT,
    FUZZY_WEIGHT,
    PART_WEIGHT,
    PROXIMITY_SLOP,
    PROXIMITY_WEIGHT,
    WEIGHTS,
    Phrase,
    Plan,
    TermGroup,
    facet_plans,
)

log = logging.getLogger(__name__)

MAPPING_VERSION = 2
KEEP_ALIVE = "5m"


def index_definition() -> dict[str, Any]:
    name = f"elasticsearch_index_v{MAPPING_VERSION}.json"
    text = resources.files("htk_search.backends").joinpath(name).read_text(encoding="utf-8")
    definition: dict[str, Any] = json.loads(text)
    return definition


def _source(doc: IndexDocument) -> dict[str, Any]:
    return {
        "action_id": doc.action_id,
        "version": doc.version,
        **{name: doc.text[name] for name in TEXT_FIELDS},
        "suggest": doc.suggest,
        **{name: doc.facets[name] for name in FACETS},
        "national": doc.national,
        "updated_at": doc.updated_at.isoformat(),
        "payload": doc.payload,
    }


def _group(group: TermGroup) -> dict[str, Any]:
    alternatives: list[dict[str, Any]] = []
    for area in ("title", "body"):
        raw_field, lemma_field = f"{area}_raw", f"{area}_lemma"
        if len(group.raw) == 1:
            alternatives.append(
                {"term": {raw_field: {"value": group.raw[0], "boost": WEIGHTS[raw_field]}}}
            )
        elif group.raw:
            alternatives.append(
                {
                    "match_phrase": {
                        raw_field: {"query": " ".join(group.raw), "boost": WEIGHTS[raw_field]}
                    }
                }
            )
        for lemma in group.lemmas:
            alternatives.append(
                {"term": {lemma_field: {"value": lemma, "boost": WEIGHTS[lemma_field]}}}
            )
        for part in group.parts:
            alternatives.append(
                {
                    "term": {
                        lemma_field: {"value": part, "boost": WEIGHTS[lemma_field] * PART_WEIGHT}
                    }
                }
            )
        for base in group.derived:
            alternatives.append(
                {
                    "term": {
                        lemma_field: {"value": base, "boost": WEIGHTS[lemma_field] * DERIVED_WEIGHT}
                    }
                }
            )
        if group.leaves:
            every = [
                {"bool": {"should": [{"term": {lemma_field: form}} for form in forms]}}
                for forms in group.leaves
            ]
            alternatives.append(
                {"bool": {"must": every, "boost": WEIGHTS[lemma_field] * PART_WEIGHT}}
            )
        for term, share in group.corrections:
            alternatives.append(
                {"term": {lemma_field: {"value": term, "boost": WEIGHTS[lemma_field] * share}}}
            )
        if group.fuzzy and len(group.raw) == 1:
            for field in (raw_field, lemma_field):
                fuzzy = {"fuzzy": {field: {"value": group.raw[0], "fuzziness": group.fuzzy}}}
                alternatives.append({"constant_score": {"filter": fuzzy, "boost": FUZZY_WEIGHT}})
    return {"dis_max": {"queries": alternatives, "tie_breaker": 0.1}}


def _phrase(phrase: Phrase) -> dict[str, Any]:
    options: list[dict[str, Any]] = []
    for area in ("title", "body"):
        weight = WEIGHTS[f"{area}_raw"]
        options.append(
            {"match_phrase": {f"{area}_raw": {"query": " ".join(phrase.raw), "boost": weight}}}
        )
        for variant in phrase.seq_variants:
            options.append(
                {
                    "match_phrase": {
                        f"{area}_seq": {"query": " ".join(variant), "boost": weight * 0.8}
                    }
                }
            )
    return {"dis_max": {"queries": options, "tie_breaker": 0.1}}


def _filter(facet: str, values: list[str], include_national: bool) -> dict[str, Any]:
    matches: dict[str, Any] = {"terms": {facet: values}}
    if facet in AREA_FACETS and include_national:
        return {"bool": {"should": [matches, {"term": {"national": True}}]}}
    return matches


def build_query(plan: Plan) -> dict[str, Any]:
    must: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    if plan.groups:
        must.extend(_group(g) for g in plan.groups if g.required)
        optional = [_group(g) for g in plan.groups if not g.required]
        if optional:
            must.append({"bool": {"should": optional}})
        if len(optional) > 1:
            every = {"bool": {"must": optional}}
            should.append({"constant_score": {"filter": every, "boost": ALL_WORDS_SCORE}})
    for words in plan.proximity():
        for area in ("title", "body"):
            should.append(
                {
                    "match_phrase": {
                        f"{area}_seq": {
                            "query": " ".join(words),
                            "slop": PROXIMITY_SLOP,
                            "boost": PROXIMITY_WEIGHT,
                        }
                    }
                }
            )
    must.extend(_phrase(p) for p in plan.phrases)
    for facet, (values, weight) in plan.facet_boosts.items():
        if values:
            should.append(
                {"constant_score": {"filter": {"terms": {facet: values}}, "boost": weight}}
            )
    if not plan.has_text:
        must.append({"match_all": {}})
    query: dict[str, Any] = {
        "must": must,
        "filter": [_filter(f, v, plan.include_national) for f, v in plan.filters.items()],
    }
    if plan.national_only:
        query["filter"].append({"term": {"national": True}})
    if should:
        query["should"] = should
    if plan.exclude_ids:
        query["must_not"] = [{"terms": {"action_id": plan.exclude_ids}}]
    return {"bool": query}


def _all_of(plan: Plan) -> dict[str, Any]:
    """The plan's filters alone (no text), as one filter."""
    clauses = [_filter(f, v, plan.include_national) for f, v in plan.filters.items()]
    if plan.national_only:
        clauses.append({"term": {"national": True}})
    return {"bool": {"filter": clauses}}


def _count_facets(body: dict[str, Any], plan: Plan) -> None:
    """Facet counts where a facet ignores its own filter (htk_search.query.facet_plans): the
    query keeps only the text, each facet's aggregation applies the filters it is counted
    under, and the hits get every filter afterwards (post_filter, which does not score)."""
    if plan.filters:
        body["query"] = build_query(replace(plan, filters={}))
        body["post_filter"] = _all_of(plan)
    body["aggs"] = {
        name: {
            "filter": _all_of(part),
            "aggs": {"values": terms_aggregation(name)},
        }
        for part, names in facet_plans(plan)
        for name in names
    }


class ElasticsearchBackend:
    def __init__(self, client: AsyncElasticsearch, alias: str) -> None:
        self.client = client
        self.alias = alias

    @classmethod
    async def open(cls, url: str, alias: str) -> "ElasticsearchBackend":
        backend = cls(AsyncElasticsearch(url, request_timeout=30), alias)
        await backend.ensure_index()
        return backend

    def _new_index_name(self) -> str:
        return f"{self.alias}-v{MAPPING_VERSION}-{uuid.uuid4().hex[:8]}"

    async def ensure_index(self) -> None:
        if await self.client.indices.exists_alias(name=self.alias):
            # An index made by an older mapping gets the fields added since (v2: good_practice):
            # adding a field is allowed in place; its documents get it at their next change or
            # at ``htk search reindex``.
            await self.client.indices.put_mapping(
                index=self.alias, properties=index_definition()["mappings"]["properties"]
            )
            return
        name = self._new_index_name()
        definition = index_definition()
        await self.client.indices.create(
            index=name,
            settings=definition["settings"],
            mappings=definition["mappings"],
            aliases={self.alias: {"is_write_index": True}},
        )
        log.info("search index created", extra={"index": name, "alias": self.alias})

    async def upsert(self, doc: IndexDocument) -> None:
        await self.client.index(
            index=self.alias, id=doc.action_id, document=_source(doc), refresh=True
        )

    async def delete(self, action_id: str) -> None:
        try:
            await self.client.delete(index=self.alias, id=action_id, refresh=True)
        except NotFoundError:
            pass

    async def lemma_frequencies(self, terms: list[str]) -> dict[str, int]:
        if not terms:
            return {}
        aggs = {
            str(n): {
                "filter": {
                    "bool": {
                        "should": [
                            {"term": {"title_lemma": term}},
                            {"term": {"body_lemma": term}},
                        ]
                    }
                }
            }
            for n, term in enumerate(terms)
        }
        answer = await self.client.search(index=self.alias, size=0, aggs=aggs)
        return {
            term: int(answer["aggregations"][str(n)]["doc_count"]) for n, term in enumerate(terms)
        }

    async def search(
        self, plan: Plan, *, limit: int, state: dict[str, Any] | None, facets: bool
    ) -> Page:
        if plan.sort == "date":
            sort: list[Any] = [{"updated_at": "desc"}, {"action_id": "asc"}]
        else:
            sort = [{"_score": "desc"}, {"action_id": "asc"}]
        if state is None:
            pit = (await self.client.open_point_in_time(index=self.alias, keep_alive=KEEP_ALIVE))[
                "id"
            ]
            after = None
        else:
            pit, after = state.get("pit"), state.get("after")
            if not isinstance(pit, str) or not isinstance(after, list):
                raise QueryError("cursor", "The cursor is not one this service gave out.")
        body: dict[str, Any] = {
            "query": build_query(plan),
            "sort": sort,
            "size": limit + 1,
            "track_total_hits": True,
            "track_scores": True,
            "_source": ["payload"],
            "pit": {"id": pit, "keep_alive": KEEP_ALIVE},
        }
        if after is not None:
            body["search_after"] = after
        if facets:
            _count_facets(body, plan)
        try:
            response = (await self.client.search(body=body)).body
        except NotFoundError as exc:
            raise QueryError("cursor", "The cursor has expired: start the search again.") from exc
        raw_hits = response["hits"]["hits"]
        hits = [
            (
                h["_source"]["payload"],
                float(h.get("_score") or 0.0) if plan.sort == "relevance" else 0.0,
            )
            for h in raw_hits[:limit]
        ]
        page = Page(total=int(response["hits"]["total"]["value"]), hits=hits)
        if len(raw_hits) > limit:
            last = raw_hits[limit - 1]["sort"][:2]
            page.next_state = {"pit": response.get("pit_id", pit), "after": last}
        if facets:
            page.facets = {
                name: {str(b["key"]): int(b["doc_count"]) for b in agg["values"]["buckets"]}
                for name, agg in response.get("aggregations", {}).items()
            }
        return page

    async def suggest(self, prefix_words: list[str], limit: int) -> list[str]:
        if not prefix_words:
            return []
        response = await self.client.search(
            index=self.alias,
            query={"match_phrase_prefix": {"suggest": {"query": " ".join(prefix_words)}}},
            size=limit * 3,
            source_includes=["payload.title"],
        )
        titles = dict.fromkeys(h["_source"]["payload"]["title"] for h in response["hits"]["hits"])
        return list(titles)[:limit]

    async def versions(self) -> dict[str, int]:
        out: dict[str, int] = {}
        after: list[Any] | None = None
        while True:
            kwargs: dict[str, Any] = {"search_after": after} if after else {}
            response = await self.client.search(
                index=self.alias,
                query={"match_all": {}},
                sort=[{"action_id": "asc"}],
                size=1000,
                source_includes=["action_id", "version"],
                **kwargs,
            )
            hits = response["hits"]["hits"]
            for h in hits:
                out[h["_source"]["action_id"]] = int(h["_source"]["version"])
            if len(hits) < 1000:
                return out
            after = hits[-1]["sort"]

    async def count(self) -> int:
        return int((await self.client.count(index=self.alias))["count"])

    async def rebuild(
        self, docs: AsyncIterator[IndexDocument], progress: Progress | None = None
    ) -> int:
        name = self._new_index_name()
        definition = index_definition()
        await self.client.indices.create(
            index=name, settings=definition["settings"], mappings=definition["mappings"]
        )

        async def actions() -> AsyncIterator[dict[str, Any]]:
            async for doc in docs:
                yield {"_index": name, "_id": doc.action_id, "_source": _source(doc)}

        done = 0
        async for ok, item in async_streaming_bulk(self.client, actions(), chunk_size=500):
            if not ok:
                raise RuntimeError(f"bulk indexing failed: {item}")
            done += 1
            if progress and done % 100 == 0:
                progress(done)
        if progress:
            progress(done)
        await self.client.indices.refresh(index=name)
        old = list((await self.client.indices.get_alias(name=self.alias)).body)
        await self.client.indices.update_aliases(
            actions=[
                *({"remove": {"index": index, "alias": self.alias}} for index in old),
                {"add": {"index": name, "alias": self.alias, "is_write_index": True}},
            ]
        )
        for index in old:
            await self.client.indices.delete(index=index, ignore_unavailable=True)
        return int((await self.client.count(index=name))["count"])

    async def close(self) -> None:
        await self.client.close()
