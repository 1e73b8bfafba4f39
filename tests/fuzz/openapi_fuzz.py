"""Fuzzing one API from its OpenAPI document, over real HTTP: the check every fuzz test shares.

Whatever schemathesis sends (valid, invalid, oversized, wrong types), the answer is never a
5xx, and every 4xx says what is wrong in a non-empty ``message``.
"""

import os
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

# Readiness answers 503 by design when a dependency is away and takes no input; a live event
# stream never ends, so a generated case would wait for ever.
SKIPPED = ("/health", "/coverage/stream", "/api/v1/coverage/stream")


def fuzz_api(
    schema_url: str,
    *,
    base_url: str | None = None,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    max_examples: int = 12,
    skip: Callable[[str], bool] = lambda path: False,
) -> int:
    """Fuzz every operation of the document; returns how many operations were fuzzed.

    Under ``make test`` the cases are the same on every run (the "ci" Hypothesis profile, see
    the root conftest); ``make fuzz`` draws new ones, ``HTK_FUZZ_SCALE`` times as many."""
    max_examples *= max(1, int(os.environ.get("HTK_FUZZ_SCALE", "1")))
    schema = schemathesis.openapi.from_url(schema_url)
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if not op.path.startswith(SKIPPED) and op.path not in SKIPPED and not skip(op.path)
    ]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=max_examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case: Any) -> None:
            response = case.call(
                base_url=base_url,
                headers={**(case.headers or {}), **(headers or {})},
                cookies=cookies,
            )
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (where, response.text[:500])
            if 400 <= response.status_code < 500:
                body = response.json()
                assert isinstance(body.get("message"), str) and body["message"], (
                    where,
                    response.text[:300],
                )

        fuzz()
    return len(operations)
