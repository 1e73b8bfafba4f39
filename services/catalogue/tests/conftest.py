"""A catalogue on the session's stack, with its own database and its own topics."""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from htk_catalogue.catalogue import Catalogue
from htk_catalogue.main import create_service
from htk_runtime.auth import SERVICE_HEADER, sign_service
from htk_runtime.service import Service
from htk_testing.runtime import running, user_headers

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def catalogue_env(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        **service_env,
        "HTK_CATALOGUE_DATA_DIR": str(REPO / "data"),
        "HTK_CATALOGUE_PLAN_FILE": str(REPO / "data/plan/example-plan.csv"),
        "HTK_CATALOGUE_TOPIC_PREFIX": f"test-{uuid.uuid4().hex[:8]}.",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@dataclass
class Running:
    service: Service
    client: httpx.AsyncClient
    as_user: Callable[..., dict[str, str]]

    @property
    def catalogue(self) -> Catalogue:
        catalogue: Catalogue = self.service.ctx().state["catalogue"]
        return catalogue

    def coordinator(self, member_id: str = "c1") -> dict[str, str]:
        return self.as_user(member_id=member_id, coordinator=True)


@pytest.fixture
async def cat(catalogue_env: dict[str, str], token_keys: tuple[str, str]) -> AsyncIterator[Running]:
    service = create_service()

    def as_user(**claims: Any) -> dict[str, str]:
        return user_headers(token_keys[0], **claims)

    async with running(service.app()) as client:
        # The gateway's own token: joining and signing in go through the gateway only.
        client.headers[SERVICE_HEADER] = sign_service("gateway", "catalogue", token_keys[0], 3600)
        yield Running(service, client, as_user)


def fields(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]
