"""The running platform the security and fuzz suites share: started once, on first use."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack import RunningPlatform, load, seeded


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    reuse = os.environ.get("HTK_TEST_PLATFORM")
    if reuse:  # a platform kept running by `python -m tests.stack FILE`
        yield load(Path(reuse))
        return
    with seeded(tmp_path_factory.mktemp("platform")) as running:
        yield running
