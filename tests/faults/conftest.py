"""A platform of its own for the fault tests: they kill its services, broker and database, which
would disturb the platform the security and fuzz suites share."""

from collections.abc import Iterator

import pytest

from tests.stack import RunningPlatform, seed, start


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start(tmp_path_factory.mktemp("faults"))
    try:
        seed(running)
        yield running
    finally:
        running.platform.stop()
