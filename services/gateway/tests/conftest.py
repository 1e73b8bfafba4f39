"""Fixtures shared by the gateway's tests."""

from pathlib import Path

import pytest


@pytest.fixture
def gateway_env(
    service_env: dict[str, str],
    token_keys: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Path:
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("HTK_TOKEN_PRIVATE_KEY", token_keys[0])
    monkeypatch.setenv("HTK_GATEWAY_SECRET", "test-gateway-secret")
    monkeypatch.setenv("HTK_SUBMISSIONS_URL", "http://127.0.0.1:1")
    return tmp_path / "mail"
