"""Fuzzing the submissions API from its own OpenAPI document, over real HTTP, with the
benchmark's seeded actions behind it (see :mod:`tests.fuzz.openapi_fuzz` for the check)."""

import asyncio
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from htk_runtime.auth import User, sign
from htk_runtime.processes import free_port, spawn, wait_until
from htk_testing.runtime import EmbeddedStack
from tests.fuzz.openapi_fuzz import fuzz_api

pytestmark = pytest.mark.fuzz
REPO = Path(__file__).resolve().parents[2]


def _seed(mongo_uri: str, database: str) -> None:
    from bench.bench_submissions import seed

    asyncio.run(seed(mongo_uri, database))


@pytest.fixture(scope="module")
def submissions_url(
    embedded_stack: EmbeddedStack,
    token_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    database = "fuzz_submissions"
    _seed(embedded_stack.mongo_uri, database)
    port = free_port()
    workdir = tmp_path_factory.mktemp("fuzz")
    process = spawn(
        "submissions",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "htk_submissions.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        log_path=workdir / "submissions.log",
        env={
            "HTK_KAFKA_BOOTSTRAP_SERVERS": embedded_stack.kafka_bootstrap_servers,
            "HTK_MONGO_URI": embedded_stack.mongo_uri,
            "HTK_MONGO_DATABASE": database,
            "HTK_TOKEN_PUBLIC_KEY": token_keys[1],
            "HTK_SUBMISSIONS_DATA_DIR": str(REPO / "data"),
            "HTK_SEARCH_URL": "http://127.0.0.1:1",
            "HTK_MAIL_DIR": str(workdir / "mail"),
        },
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/health/ready", timeout=1) as r:  # noqa: S310
                return bool(r.status == 200)
        except OSError:
            return False

    wait_until(ready, timeout=60, process=process)
    yield url
    process.stop(10)


def test_no_5xx_and_every_4xx_explains(submissions_url: str, token_keys: tuple[str, str]) -> None:
    member = User(member_id="fuzzer", organisations={"bench-org": "admin"}, coordinator=True)
    headers = {"HTK-User": sign(member, token_keys[0], 3600)}
    fuzzed = fuzz_api(f"{submissions_url}/openapi.json", headers=headers)
    assert fuzzed >= 10, "the whole API is covered"
