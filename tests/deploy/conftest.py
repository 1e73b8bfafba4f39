"""Fixtures for the deployment tests; the facts behind them are in deploy_facts.py."""

import sys
from pathlib import Path
from typing import Any

import pytest

# The root pytest config imports test modules by path (importlib mode): make the helper module
# next to this file importable by name.
sys.path.insert(0, str(Path(__file__).parent))

from deploy_facts import (
    OVERLAYS,
    ServiceFacts,
    compose_file,
    rendered_overlay,
    service_facts,
)


@pytest.fixture(scope="session")
def services() -> dict[str, ServiceFacts]:
    return service_facts()


@pytest.fixture(scope="session", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def manifests(overlay: str) -> tuple[dict[str, Any], ...]:
    return rendered_overlay(overlay)


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return compose_file()
