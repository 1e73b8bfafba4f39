"""Fuzzing the submissions API from its own OpenAPI document, over real HTTP.

Whatever schemathesis sends (valid, invalid, oversized, wrong types), the answer is never a
5xx, and every 4xx says what is wrong in ``message``.
"""

import asyncio
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from htk_runtime.auth import User, sign
from htk_runtime.processes import free_port, spawn, wait_until
from htk_runtime.testing import EmbeddedStack

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
    schema = schemathesis.openapi.from_url(f"{submissions_url}/openapi.json")
    # Readiness answers 503 by design when a dependency is away; it takes no input to fuzz.
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if not op.path.startswith("/health")
    ]
    assert len(operations) >= 10, "the whole API is covered"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def fuzz(case: Any) -> None:
            response = case.call(headers={**(case.headers or {}), **headers})
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (where, response.text[:500])
            if 400 <= response.status_code < 500:
                body = response.json()
                assert isinstance(body.get("message"), str) and body["message"], (
                    where,
                    response.text[:300],
                )

        fuzz()
