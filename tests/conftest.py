"""The running platform the security and fuzz suites share: started once, on first use."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack import RunningPlatform, load, seed, start

# Fuzzing and the security suites ask for many login links and make many writes from one
# address; the limits themselves are tested in the gateway's own tests.
GENEROUS_LIMITS = {
    "HTK_LINK_REQUESTS_PER_IP": "100000",
    "HTK_LINK_REQUESTS_PER_EMAIL": "100000",
    "HTK_WRITES_PER_MINUTE": "100000",
}


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    reuse = os.environ.get("HTK_TEST_PLATFORM")
    if reuse:
        yield load(Path(reuse))
        return
    saved = {k: os.environ.get(k) for k in GENEROUS_LIMITS}
    os.environ.update(GENEROUS_LIMITS)
    try:
        running = start(tmp_path_factory.mktemp("platform"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        seed(running)
        yield running
    finally:
        running.platform.stop()
