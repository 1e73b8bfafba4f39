"""Fixtures running the same test cases against both backends.

Elasticsearch runs as noida-db (ES 8.15 emulation), started once per session and only when a test
asks for it; every test gets an alias of its own.
"""

import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from htk_runtime.processes import free_port, port_accepts, spawn, wait_until
from htk_search.backends.base import SearchBackend
from htk_search.backends.elasticsearch_backend import ElasticsearchBackend
from htk_search.backends.tantivy_backend import TantivyBackend
from htk_search.engine import SearchEngine
from htk_search.testing import RelevanceSet, engine_for, relevance_set

BACKENDS = ["tantivy", "elasticsearch"]
RELEVANCE_DIR = Path(__file__).parent / "relevance"


def _noida_binary() -> str:
    found = shutil.which("noida-db") or str(Path(sys.executable).parent / "noida-db")
    return found


@pytest.fixture(scope="session")
def elasticsearch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("noida")
    port = free_port()
    process = spawn(
        "noida-db",
        [
            _noida_binary(),
            "start",
            "--data-dir",
            str(workdir / "data"),
            "--only",
            "elasticsearch",
            "--elasticsearch-port",
            str(port),
        ],
        log_path=workdir / "noida.log",
    )
    try:
        wait_until(lambda: port_accepts("127.0.0.1", port), timeout=30, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop(5)


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
