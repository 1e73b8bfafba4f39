"""The embedded search backend: tantivy, one index generation per directory.

``<dir>/CURRENT`` names the generation that serves. A rebuild writes a new generation beside it
and replaces ``CURRENT`` atomically (write a temporary file, rename it), then switches in memory.

Cursors keep the searcher they started from (tantivy searchers are point-in-time views), so
paging stays stable while the index changes; a view expires after a few minutes unused.
"""

import asyncio
import json
import os
import shutil
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import tantivy

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

POINTER = "CURRENT"
SNAPSHOT_TTL_SECONDS = 300.0
MAX_SNAPSHOTS = 512
UNION_MAX_VALUES = 16
REBUILD_BATCH = 1000  # documents handed to the writer at a time
Occur = tantivy.Occur


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("action_id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_integer_field("version", stored=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="ws", index_option="position")
    builder.add_text_field("suggest", tokenizer_name="ws", index_option="position")
    for name in FACETS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_boolean_field("national", indexed=True, fast=True)
    builder.add_date_field("updated_at", indexed=True, fast=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


def _open(directory: Path, schema: tantivy.Schema) -> tantivy.Index:
    directory.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(directory))
    index.register_tokenizer(
        "ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )
    return index


class _Generation:
    def __init__(self, directory: Path, schema: tantivy.Schema) -> None:
        self.directory = directory
        self.index = _open(directory, schema)
        # tantivy allows one writer per index; every write goes through it, one at a time.
        self.writer = self.index.writer(heap_size=100_000_000, num_threads=1)

    def add(self, doc: IndexDocument) -> None:
        self.writer.delete_documents_by_term("action_id", doc.action_id)
        self.writer.add_document(_to_tantivy(doc))

    def commit(self) -> None:
        self.writer.commit()
        self.index.reload()

    def close(self) -> None:
        self.writer.wait_merging_threads()


def _to_tantivy(doc: IndexDocument) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("action_id", doc.action_id)
    out.add_integer("version", doc.version)
    for name in TEXT_FIELDS:
        out.add_text(name, doc.text[name])
    out.add_text("suggest", doc.suggest)
    for name in FACETS:
        for value in doc.facets[name]:
            out.add_text(name, value)
    out.add_boolean("national", doc.national)
    out.add_date("updated_at", doc.updated_at)
    out.add_bytes("payload", doc.payload_json.encode())
    return out


def _buckets(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        name: {str(b["key"]): int(b["doc_count"]) for b in agg["buckets"]}
        for name, agg in result.items()
        if isinstance(agg, dict) and "buckets" in agg
    }


def _payload(stored: tantivy.Document) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(cast(bytes, stored.get_first("payload")))
    return payload


class TantivyBackend:
    def __init__(self, directory: Path) -> None:
        self.root = directory
        self.root.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        # True when the index on disk was made with an older schema (a facet added since): a
        # new, empty generation takes its place and the service queues a rebuild from its
        # read copies (htk_search.main); the old generation's directory is left as it was.
        self.stale = False
        try:
            self.current = _Generation(self.root / self._current_name(), self.schema)
        except ValueError as error:
            if "schema does not match" not in str(error):
                raise
            self.stale = True
            name = f"gen-{uuid.uuid4().hex[:8]}"
            self._point_to(name)
            self.current = _Generation(self.root / name, self.schema)
        self._lock = asyncio.Lock()
        self._snapshots: OrderedDict[str, tuple[tantivy.Searcher, float]] = OrderedDict()

    def _current_name(self) -> str:
        pointer = self.root / POINTER
        if pointer.exists():
            return pointer.read_text().strip()
        name = f"gen-{uuid.uuid4().hex[:8]}"
        self._point_to(name)
        return name

    def _point_to(self, name: str) -> None:
        temporary = self.root / f"{POINTER}.{uuid.uuid4().hex[:6]}"
        temporary.write_text(name)
        os.replace(temporary, self.root / POINTER)

    # --- writes -------------------------------------------------------------------------------

    def _upsert(self, doc: IndexDocument) -> None:
        self.current.add(doc)
        self.current.commit()

    def _delete(self, action_id: str) -> None:
        self.current.writer.delete_documents_by_term("action_id", action_id)
        self.current.commit()

    async def upsert(self, doc: IndexDocument) -> None:
        async with self._lock:
            await asyncio.to_thread(self._upsert, doc)

    async def delete(self, action_id: str) -> None:
        async with self._lock:
            await asyncio.to_thread(self._delete, action_id)

    # --- queries ------------------------------------------------------------------------------

    def _term(self, field: str, text: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, text)

    def _group(self, group: TermGroup) -> tantivy.Query:
        alternatives: list[tantivy.Query] = []
        for area in ("title", "body"):
            raw_field, lemma_field = f"{area}_raw", f"{area}_lemma"
            if len(group.raw) == 1:
                raw = self._term(raw_field, group.raw[0])
                alternatives.append(tantivy.Query.boost_query(raw, WEIGHTS[raw_field]))
            elif group.raw:
                raw = tantivy.Query.phrase_query(self.schema, raw_field, list(group.raw))
                alternatives.append(tantivy.Query.boost_query(raw, WEIGHTS[raw_field]))
            for lemma in group.lemmas:
                alternatives.append(
                    tantivy.Query.boost_query(self._term(lemma_field, lemma), WEIGHTS[lemma_field])
                )
            for part in group.parts:
                alternatives.append(
                    tantivy.Query.boost_query(
                        self._term(lemma_field, part), WEIGHTS[lemma_field] * PART_WEIGHT
                    )
                )
            for base in group.derived:
                alternatives.append(
                    tantivy.Query.boost_query(
                        self._term(lemma_field, base), WEIGHTS[lemma_field] * DERIVED_WEIGHT
                    )
                )
            if group.leaves:
                every = tantivy.Query.boolean_query(
                    [(Occur.Must, self._any_of(lemma_field, list(forms))) for forms in group.leaves]
                )
                alternatives.append(
                    tantivy.Query.boost_query(every, WEIGHTS[lemma_field] * PART_WEIGHT)
                )
            for term, share in group.corrections:
                alternatives.append(
                    tantivy.Query.boost_query(
                        self._term(lemma_field, term), WEIGHTS[lemma_field] * share
                    )
                )
            if group.fuzzy and len(group.raw) == 1:
                for field in (raw_field, lemma_field):
                    fuzzy = tantivy.Query.fuzzy_term_query(
                        self.schema, field, group.raw[0], distance=group.fuzzy
                    )
                    alternatives.append(tantivy.Query.const_score_query(fuzzy, FUZZY_WEIGHT))
        return tantivy.Query.disjunction_max_query(alternatives, tie_breaker=0.1)

    def _phrase(self, phrase: Phrase) -> tantivy.Query:
        options: list[tantivy.Query] = []
        for area in ("title", "body"):
            weight = WEIGHTS[f"{area}_raw"]
            options.append(
                tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(self.schema, f"{area}_raw", list(phrase.raw)),
                    weight,
                )
            )
            for variant in phrase.seq_variants:
                options.append(
                    tantivy.Query.boost_query(
                        tantivy.Query.phrase_query(self.schema, f"{area}_seq", list(variant)),
                        weight * 0.8,
                    )
                )
        return tantivy.Query.disjunction_max_query(options, tie_breaker=0.1)

    def _any_of(self, field: str, values: list[str]) -> tantivy.Query:
        # A term set query collects every matching document into a bit set before it starts,
        # which for "language: fi" is most of the index; a union of term queries walks only
        # as far as the rest of the query needs (five filters at 100,000 actions: 2.4 ms as a
        # term set, 0.65 ms as term queries).
        if len(values) == 1:
            return self._term(field, values[0])
        if len(values) <= UNION_MAX_VALUES:
            return tantivy.Query.boolean_query(
                [(Occur.Should, self._term(field, value)) for value in values]
            )
        return tantivy.Query.term_set_query(self.schema, field, values)

    def _filter(self, facet: str, values: list[str], include_national: bool) -> tantivy.Query:
        matches = self._any_of(facet, values)
        if facet in AREA_FACETS and include_national:
            national = tantivy.Query.term_query(self.schema, "national", True)
            matches = tantivy.Query.boolean_query(
                [(Occur.Should, matches), (Occur.Should, national)]
            )
        return tantivy.Query.const_score_query(matches, 0.0)

    def build(self, plan: Plan) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if plan.groups:
            should = [(Occur.Should, self._group(g)) for g in plan.groups if not g.required]
            must = [(Occur.Must, self._group(g)) for g in plan.groups if g.required]
            clauses.extend(must)
            if should:
                clauses.append((Occur.Must, tantivy.Query.boolean_query(should)))
            if len(should) > 1:
                every = tantivy.Query.boolean_query([(Occur.Must, q) for _, q in should])
                clauses.append(
                    (Occur.Should, tantivy.Query.const_score_query(every, ALL_WORDS_SCORE))
                )
        for words in plan.proximity():
            for area in ("title", "body"):
                near = tantivy.Query.phrase_query(
                    self.schema, f"{area}_seq", list(words), slop=PROXIMITY_SLOP
                )
                clauses.append((Occur.Should, tantivy.Query.boost_query(near, PROXIMITY_WEIGHT)))
        for phrase in plan.phrases:
            clauses.append((Occur.Must, self._phrase(phrase)))
        for facet, (values, weight) in plan.facet_boosts.items():
            if values:
                boost = tantivy.Query.term_set_query(self.schema, facet, values)
                clauses.append((Occur.Should, tantivy.Query.const_score_query(boost, weight)))
        for facet, values in plan.filters.items():
            clauses.append((Occur.Must, self._filter(facet, values, plan.include_national)))
        if plan.national_only:
            national = tantivy.Query.term_query(self.schema, "national", True)
            clauses.append((Occur.Must, tantivy.Query.const_score_query(national, 0.0)))
        if plan.exclude_ids:
            excluded = tantivy.Query.term_set_query(self.schema, "action_id", plan.exclude_ids)
            clauses.append((Occur.MustNot, excluded))
        if not plan.has_text:
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _snapshot(self, state: dict[str, Any] | None) -> tuple[str, tantivy.Searcher, int]:
        now = time.monotonic()
        # Kept in order of last use with one lifetime, so the expired ones are at the front.
        while self._snapshots:
            _, (_, expires) = next(iter(self._snapshots.items()))
            if expires >= now:
                break
            self._snapshots.popitem(last=False)
        if state is None:
            return uuid.uuid4().hex[:12], self.current.index.searcher(), 0
        key, offset = str(state.get("snapshot")), int(state.get("offset", -1))
        held = self._snapshots.get(key)
        if held is None or offset < 0:
            raise QueryError("cursor", "The cursor has expired: start the search again.")
        return key, held[0], offset

    def _keep(self, key: str, searcher: tantivy.Searcher) -> None:
        """Holds the view a next page's cursor continues (only a search with one)."""
        self._snapshots[key] = (searcher, time.monotonic() + SNAPSHOT_TTL_SECONDS)
        self._snapshots.move_to_end(key)
        while len(self._snapshots) > MAX_SNAPSHOTS:
            self._snapshots.popitem(last=False)

    def _hits(
        self, searcher: tantivy.Searcher, query: tantivy.Query, plan: Plan, limit: int, offset: int
    ) -> tuple[int, list[tuple[dict[str, Any], float]], bool]:
        if plan.sort == "date":
            result = searcher.search(
                query, limit=limit + 1, offset=offset, count=True, order_by_field="updated_at"
            )
        else:
            result = searcher.search(query, limit=limit + 1, offset=offset, count=True)
        hits = []
        for score, address in result.hits[:limit]:
            payload = _payload(searcher.doc(address))
            hits.append((payload, float(score) if plan.sort == "relevance" else 0.0))
        return int(getattr(result, "count", 0) or 0), hits, len(result.hits) > limit

    def _counts(
        self, searcher: tantivy.Searcher, query: tantivy.Query, names: list[str]
    ) -> dict[str, dict[str, int]]:
        # One aggregation per filtered facet, run side by side. One pass with a ``filter``
        # aggregation per facet (tantivy 0.27 has them) gave the same counts and was faster at
        # 20,000 actions (p50 1.2 against 2.3-3.5 ms, in turn), but slower at 100,000 (p50
        # 11-32 ms against 5-9 ms side by side, p95 31-79 against 19-37), also with the pass
        # narrowed to the actions that meet all filters but one.
        result = searcher.aggregate(query, {name: terms_aggregation(name) for name in names})
        return _buckets(result)

    async def search(
        self, plan: Plan, *, limit: int, state: dict[str, Any] | None, facets: bool
    ) -> Page:
        query = self.build(plan)
        key, searcher, offset = self._snapshot(state)
        found = asyncio.to_thread(self._hits, searcher, query, plan, limit, offset)
        counts: list[dict[str, dict[str, int]]] = []
        if facets and state is None:
            # tantivy releases the GIL while it searches and aggregates, so the hits and every
            # facet's counts are computed side by side (measured at 100,000 actions against
            # the same in one thread: p50 5-9 ms against 12-20 ms).
            jobs = [
                asyncio.to_thread(
                    self._counts, searcher, query if part is plan else self.build(part), names
                )
                for part, names in facet_plans(plan)
            ]
            (total, hits, more), *counts = await asyncio.gather(found, *jobs)
        else:
            total, hits, more = await found
        page = Page(total=total, hits=hits)
        if more:
            self._keep(key, searcher)
            page.next_state = {"snapshot": key, "offset": offset + limit}
        for part_counts in counts:
            page.facets.update(part_counts)
        return page

    def _suggest(self, prefix_words: list[str], limit: int) -> list[str]:
        if not prefix_words:
            return []
        terms: list[str | tuple[int, str]] = list(prefix_words)
        query = tantivy.Query.phrase_prefix_query(self.schema, "suggest", terms)
        searcher = self.current.index.searcher()
        result = searcher.search(query, limit=limit * 3, count=False)
        titles: dict[str, None] = {}
        for _, address in result.hits:
            payload = _payload(searcher.doc(address))
            titles[payload["title"]] = None
        return list(titles)[:limit]

    async def suggest(self, prefix_words: list[str], limit: int) -> list[str]:
        return await asyncio.to_thread(self._suggest, prefix_words, limit)

    def _lemma_frequencies(self, terms: list[str]) -> dict[str, int]:
        searcher = self.current.index.searcher()
        return {
            term: max(
                int(searcher.doc_freq("title_lemma", term)),
                int(searcher.doc_freq("body_lemma", term)),
            )
            for term in terms
        }

    async def lemma_frequencies(self, terms: list[str]) -> dict[str, int]:
        # A term dictionary lookup per segment: microseconds, less than a hop to a thread.
        return self._lemma_frequencies(terms)

    def _versions(self) -> dict[str, int]:
        searcher = self.current.index.searcher()
        total = searcher.num_docs
        if total == 0:
            return {}
        result = searcher.search(tantivy.Query.all_query(), limit=total, count=False)
        out: dict[str, int] = {}
        for _, address in result.hits:
            doc = searcher.doc(address)
            out[str(doc.get_first("action_id"))] = int(cast(int, doc.get_first("version")))
        return out

    async def versions(self) -> dict[str, int]:
        return await asyncio.to_thread(self._versions)

    async def count(self) -> int:
        return int(self.current.index.searcher().num_docs)

    # --- rebuild ------------------------------------------------------------------------------

    async def rebuild(
        self, docs: AsyncIterator[IndexDocument], progress: Progress | None = None
    ) -> int:
        name = f"gen-{uuid.uuid4().hex[:8]}"
        fresh = await asyncio.to_thread(_Generation, self.root / name, self.schema)
        done = 0
        batch: list[IndexDocument] = []

        def add_batch(items: list[IndexDocument]) -> None:
            for item in items:
                fresh.writer.add_document(_to_tantivy(item))

        # A batch is added in a thread while the next one is gathered (one writer: one batch
        # at a time).
        adding: asyncio.Future[None] | None = None
        async for doc in docs:
            batch.append(doc)
            if len(batch) >= REBUILD_BATCH:
                if adding is not None:
                    await adding
                    done += REBUILD_BATCH
                    if progress:
                        progress(done)
                adding = asyncio.ensure_future(asyncio.to_thread(add_batch, batch))
                batch = []
        if adding is not None:
            await adding
            done += REBUILD_BATCH
        await asyncio.to_thread(add_batch, batch)
        done += len(batch)
        if progress:
            progress(done)
        await asyncio.to_thread(fresh.commit)
        async with self._lock:
            old = self.current
            self._point_to(name)
            self.current = fresh
        await asyncio.to_thread(old.close)
        # Open cursors keep their searchers (memory-mapped files stay readable once unlinked).
        shutil.rmtree(old.directory, ignore_errors=True)
        return int(fresh.index.searcher().num_docs)

    async def close(self) -> None:
        async with self._lock:
            await asyncio.to_thread(self.current.close)
