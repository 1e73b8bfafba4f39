"""What every search backend offers. The same test cases run against each backend.

Backends receive documents already analysed (htk_search.documents) and plans already built
(htk_search.query); they only store, match, rank, count and page.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from htk_search.documents import IndexDocument
    from htk_search.query import Plan


class QueryError(ValueError):
    """The user's query cannot be understood; names the parameter at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass
class Page:
    total: int
    hits: list[tuple[dict[str, Any], float]]  # (payload, score)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    next_state: dict[str, Any] | None = None  # what the next page's cursor carries


Progress = Callable[[int], None]

# How many values a facet lists with their counts, most frequent first: room for every
# municipality (308), and the 200 most frequent organisations and measures.
FACET_SIZES = {"municipality": 400, "organisation": 200, "measure": 200}
FACET_SIZE = 100


def terms_aggregation(facet: str) -> dict[str, Any]:
    """A facet's value counts, in the aggregation language both backends speak."""
    return {"terms": {"field": facet, "size": FACET_SIZES.get(facet, FACET_SIZE)}}


class SearchBackend(Protocol):
    async def upsert(self, doc: "IndexDocument") -> None: ...

    async def delete(self, action_id: str) -> None: ...

    async def search(
        self, plan: "Plan", *, limit: int, state: dict[str, Any] | None, facets: bool
    ) -> Page: ...

    async def suggest(self, prefix_words: list[str], limit: int) -> list[str]:
        """Titles whose words start with the given words (the last one as a prefix)."""
        ...

    async def lemma_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many actions have each term in their analysed text (title or body lemmas)."""
        ...

    async def versions(self) -> dict[str, int]:
        """action id -> version of every indexed action (to compare indexes)."""
        ...

    async def count(self) -> int: ...

    async def rebuild(
        self, docs: AsyncIterator["IndexDocument"], progress: Progress | None = None
    ) -> int:
        """Build a new index aside from ``docs`` while this one serves, then switch to it
        atomically; returns the number of documents in the new index."""
        ...

    async def close(self) -> None: ...
