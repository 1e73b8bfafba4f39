"""The search interface and its backends (tantivy embedded, Elasticsearch in production)."""

from htk_search.backends.base import SearchBackend, SearchHit, SearchQuery, SearchResult

__all__ = ["SearchBackend", "SearchHit", "SearchQuery", "SearchResult"]
