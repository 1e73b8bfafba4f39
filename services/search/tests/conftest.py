"""Fixtures running the same test cases against both backends.

Elasticsearch runs as noida-db (ES 8.15 emulation), started once per session and only when a test
asks for it; every test gets an alias of its own.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from htk_search.backends.base import SearchBackend
from htk_search.backends.elasticsearch_backend import ElasticsearchBackend
from htk_search.backends.tantivy_backend import TantivyBackend
from htk_search.engine import SearchEngine
from htk_testing.search import RelevanceSet, engine_for, noida_elasticsearch, relevance_set

BACKENDS = ["tantivy", "elasticsearch"]
RELEVANCE_DIR = Path(__file__).parent / "relevance"


@pytest.fixture(scope="session")
def elasticsearch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with noida_elasticsearch(tmp_path_factory.mktemp("noida")) as url:
        yield url


BackendFactory = Callable[[], Awaitable[SearchBackend]]


async def _open(kind: str, request: pytest.FixtureRequest, directory: Path) -> SearchBackend:
    if kind == "tantivy":
        return TantivyBackend(directory / f"index-{uuid.uuid4().hex[:6]}")
    url = request.getfixturevalue("elasticsearch_url")
    return await ElasticsearchBackend.open(url, f"test-{uuid.uuid4().hex[:10]}")


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchBackend]:
    opened = await _open(request.param, request, tmp_path)
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
def relevance() -> RelevanceSet:
    return relevance_set(RELEVANCE_DIR)


@pytest.fixture(scope="session", params=BACKENDS)
async def relevance_engine(
    request: pytest.FixtureRequest,
    relevance: RelevanceSet,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[SearchEngine]:
    """The relevance set indexed once per backend, shared by the read-only tests."""
    opened = await _open(request.param, request, tmp_path_factory.mktemp("relevance"))
    engine = engine_for(opened, relevance.organisations)
    for action in relevance.actions:
        await opened.upsert(engine.document(action))
    yield engine
    await opened.close()
