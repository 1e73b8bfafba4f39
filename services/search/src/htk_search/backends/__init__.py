"""The search interface and its backends (tantivy embedded, Elasticsearch in production)."""

from htk_search.backends.base import Page, QueryError, SearchBackend

__all__ = ["Page", "QueryError", "SearchBackend"]
