"""Fuzzing the catalogue, search and reporting APIs and the gateway's public API, each from its
own OpenAPI document, on the running platform (the same check as the submissions fuzz)."""

import pytest

from htk_runtime.auth import User, sign
from tests.fuzz.openapi_fuzz import fuzz_api
from tests.stack import RunningPlatform

pytestmark = pytest.mark.fuzz

# Few examples per operation: the suite covers every operation of four APIs in about a minute.
EXAMPLES = 6


def fuzzer(platform: RunningPlatform) -> dict[str, str]:
    """A coordinator of its own, so whatever it erases or changes is nobody's."""
    user = User(member_id="fuzzer", organisations={"fuzz-org": "admin"}, coordinator=True)
    return {"HTK-User": sign(user, platform.keys[0], 3600)}


@pytest.mark.parametrize(
    ("service", "least"), [("catalogue", 30), ("search", 3), ("reporting", 15), ("community", 15)]
)
def test_service_api(platform: RunningPlatform, service: str, least: int) -> None:
    url = platform.url(service)
    fuzzed = fuzz_api(f"{url}/openapi.json", headers=fuzzer(platform), max_examples=EXAMPLES)
    assert fuzzed >= least, "every operation is fuzzed"


@pytest.mark.parametrize("role", ["visitor", "coordinator"])
def test_gateway_public_api(platform: RunningPlatform, role: str) -> None:
    url = platform.url("gateway")
    cookies, headers = {}, {}
    if role != "visitor":
        session = platform.fresh_session(role)
        cookies = {"htk_session": session}
        headers = {"X-CSRF-Token": platform.csrf_for(session)}
    fuzzed = fuzz_api(
        f"{url}/api/v1/openapi.json",
        base_url=url,
        headers=headers,
        cookies=cookies,
        max_examples=EXAMPLES,
        # The session is a real person's shared by the other tests: erasing them would end
        # those tests. The same erasure is fuzzed in the catalogue as a nobody ("fuzzer").
        skip=lambda path: path == "/api/v1/me/erasure",
    )
    assert fuzzed >= 25, "every operation is fuzzed"
