"""The container health check and the compose .env generator."""

import http.server
import importlib.util
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from deploy_facts import DEPLOY, REPO

from htk_runtime import healthcheck
from htk_runtime.auth import User, sign, verify
from htk_runtime.processes import free_port


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health/live" else 503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_healthcheck_passes_only_on_200(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTK_PORT", str(server))
    assert healthcheck.main(["/health/live"]) == 0
    assert healthcheck.main([]) == 1  # /health/ready answers 503 here
    monkeypatch.setenv("HTK_PORT", str(free_port("127.0.0.1")))
    assert healthcheck.main([]) == 1  # nothing listening


def _make_env_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_env", DEPLOY / "compose/make_env.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_env_fills_every_secret_with_a_fresh_value(tmp_path: Path) -> None:
    make_env = _make_env_module()
    target = tmp_path / ".env"
    assert make_env.main([str(REPO / ".env.example"), str(target)]) == 0
    values = dict(
        line.split("=", 1) for line in target.read_text().splitlines() if line and line[0] != "#"
    )
    assert "CHANGE_ME" not in values.values()
    assert values["HTK_VERSION"] == "dev"
    for name, value in values.items():
        if "PASSWORD" in name or name == "MONGO_REPLICA_SET_KEY":
            assert re.fullmatch(r"[0-9a-f]{48}", value), name  # URI-safe and keyfile-safe
    passwords = [v for k, v in values.items() if "PASSWORD" in k]
    assert len(passwords) >= 7 and len(set(passwords)) == len(passwords)  # no two alike
    assert target.stat().st_mode & 0o077 == 0
    assert make_env.main([str(REPO / ".env.example"), str(target)]) == 1  # never overwrites


def test_make_env_token_key_verifies_tokens() -> None:
    make_env = _make_env_module()
    rendered = make_env.render("HTK_TOKEN_PUBLIC_KEY=CHANGE_ME\nHTK_TOKEN_PRIVATE_KEY=CHANGE_ME\n")
    values = dict(line.split("=", 1) for line in rendered.splitlines())
    token = sign(User(member_id="m1"), values["HTK_TOKEN_PRIVATE_KEY"])
    assert verify(token, values["HTK_TOKEN_PUBLIC_KEY"]).member_id == "m1"
