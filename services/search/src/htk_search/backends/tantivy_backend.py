"""The embedded search backend: a tantivy index in a directory of its own."""

import asyncio
from pathlib import Path

import tantivy
from htk_contracts.actions import PublicAction

from htk_search.backends.base import QueryError, SearchHit, SearchQuery, SearchResult

TEXT_FIELDS = ["title", "summary", "inequality_reduction"]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("action_id", stored=True, tokenizer_name="raw")
    builder.add_integer_field("version", stored=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=True)
    builder.add_text_field("organisation_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("priorities", stored=True, tokenizer_name="raw")
    builder.add_date_field("published_at", stored=True, fast=True)
    return builder.build()


class TantivyBackend:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(_schema(), path=str(directory))
        # tantivy allows one writer per index; every write goes through it, one at a time.
        self.writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        self._lock = asyncio.Lock()

    def _replace(self, action: PublicAction) -> None:
        self.writer.delete_documents_by_term("action_id", action.action_id)
        doc = tantivy.Document()
        doc.add_text("action_id", action.action_id)
        doc.add_integer("version", action.version)
        for name in TEXT_FIELDS:
            doc.add_text(name, getattr(action, name))
        doc.add_text("organisation_id", action.organisation_id)
        for priority in action.priorities:
            doc.add_text("priorities", priority)
        doc.add_date("published_at", action.published_at)
        self.writer.add_document(doc)
        self.writer.commit()
        self.index.reload()

    def _delete(self, action_id: str) -> None:
        self.writer.delete_documents_by_term("action_id", action_id)
        self.writer.commit()
        self.index.reload()

    async def upsert(self, action: PublicAction) -> None:
        async with self._lock:
            await asyncio.to_thread(self._replace, action)

    async def delete(self, action_id: str) -> None:
        async with self._lock:
            await asyncio.to_thread(self._delete, action_id)

    def _search(self, query: SearchQuery) -> SearchResult:
        if query.text.strip():
            try:
                parsed = self.index.parse_query(query.text, TEXT_FIELDS)
            except ValueError as exc:
                raise QueryError("q", f"The search text could not be understood: {exc}") from exc
        else:
            parsed = tantivy.Query.all_query()
        searcher = self.index.searcher()
        result = searcher.search(parsed, limit=query.limit, offset=query.offset, count=True)
        hits = []
        for score, address in result.hits:
            stored = searcher.doc(address).to_dict()
            fields = {k: v[0] for k, v in stored.items() if k != "priorities"}
            hits.append(
                SearchHit.model_validate(
                    {**fields, "priorities": stored.get("priorities", []), "score": score}
                )
            )
        return SearchResult(total=getattr(result, "count", 0) or 0, hits=hits)

    async def search(self, query: SearchQuery) -> SearchResult:
        return await asyncio.to_thread(self._search, query)

    async def count(self) -> int:
        return int(self.index.searcher().num_docs)

    async def close(self) -> None:
        async with self._lock:
            await asyncio.to_thread(self.writer.wait_merging_threads)
