"""A platform of its own for the fault tests: they kill its services, broker and database, which
would disturb the platform the security and fuzz suites share."""

from collections.abc import Iterator

import pytest

from tests.stack import RunningPlatform, seeded


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with seeded(tmp_path_factory.mktemp("faults")) as running:
        yield running
