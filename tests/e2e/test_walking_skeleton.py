"""The whole platform through ``htk up``: tansu, SecantusDB and the five services as processes."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.catalogue_seed import publish_catalogue
from tests.e2e.platform import REPO, Launched, alive, descendants, launch, platform_env

pytestmark = pytest.mark.e2e

ACTION = {
    "title": "Yksinäisyyttä vähentävä kylätoiminta",
    "summary": "Kyläyhdistys järjestää viikoittaiset kohtaamiset syrjäkylien ikäihmisille.",
    "inequality_reduction": "Tavoittaa yksin asuvat ikäihmiset, joille palveluja on vähän.",
    "organisation_id": "org-e2e",
    "measures": ["1.1.1"],
    "municipalities": ["564"],
}


def poll(probe, timeout: float = 30.0, interval: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s; last: {last!r}")


def counted_under(client: httpx.Client, code: str) -> int:
    """Published actions under a plan node, as the public coverage table shows it."""
    rows = client.get("/api/v1/coverage").json()["rows"]
    return next((int(r["actions"]) for r in rows if r["code"] == code), 0)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="module")
def running_platform(var_dir: Path) -> Iterator[Launched]:
    launched = launch(platform_env(var_dir), "--dev-open-writes")
    try:
        launched.wait_running()
        yield launched
    finally:
        if launched.process.poll() is None:
            launched.terminate()


def test_ready_and_an_action_reaches_search_and_coverage(running_platform: Launched) -> None:
    url = running_platform.url
    assert f"running: {url}/" in "".join(running_platform.output)
    bootstrap = f"127.0.0.1:{running_platform.env['HTK_KAFKA_PORT']}"
    asyncio.run(publish_catalogue(bootstrap, ACTION["organisation_id"]))
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/health/ready").status_code == 200
        assert counted_under(client, "1") == 0

        # The plan reaches submissions' read copy shortly after it is published.
        created = poll(
            lambda: (r := client.post("/api/v1/actions", json=ACTION)).status_code == 201 and r
        )
        action_id = created.json()["id"]
        etag = created.headers["ETag"]
        submitted = client.post(f"/api/v1/actions/{action_id}/submit", headers={"If-Match": etag})
        assert submitted.status_code == 200, submitted.text
        published = client.post(
            f"/api/v1/actions/{action_id}/publish", headers={"If-Match": submitted.headers["ETag"]}
        )
        assert published.status_code == 200, published.text

        def found() -> bool:
            hits = client.get("/api/v1/search", params={"q": "kylätoiminta"}).json()["items"]
            return any(h["action_id"] == action_id for h in hits)

        poll(found)

        poll(lambda: counted_under(client, "1") == 1 and counted_under(client, "1.1.1") == 1)

        # The publication's trace, from the services' own trace files, crosses every process.
        trace_id = published.headers["traceresponse"].split("-")[1]

        def traced() -> str | bool:
            shown = subprocess.run(
                [sys.executable, "-m", "htk_cli.main", "trace", trace_id],
                env={**os.environ, **running_platform.env},
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout
            wanted = ("search handle", "reporting handle", "outbox relay", "POST /actions/")
            # Each process writes its spans when they end, so the gateway's request span, which
            # ends last, may reach the file after the consumers' spans: wait for all of them.
            services = (
                set(shown.splitlines()[0].split("services: ")[1].split(", "))
                if "services: " in shown
                else set()
            )
            everyone = {"gateway", "submissions", "search", "reporting"} <= services
            return all(w in shown for w in wanted) and everyone and shown

        poll(traced, timeout=30, interval=1)
        bad = client.post("/api/v1/actions", json={**ACTION, "measures": []})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "measures"


def test_sigterm_stops_everything_and_a_restart_keeps_the_data(
    running_platform: Launched, var_dir: Path
) -> None:
    pid = running_platform.process.pid
    children = descendants(pid)
    assert len(children) >= 7, "broker, database and five services"
    assert running_platform.terminate() == 0
    poll(lambda: not any(alive(p) for p in children), timeout=10)
    assert "Stopped." in "".join(running_platform.output)

    again = launch(running_platform.env)
    try:
        again.wait_running()
        with httpx.Client(base_url=again.url, timeout=10) as client:
            hits = client.get("/api/v1/search", params={"q": "kylätoiminta"}).json()["items"]
            assert len(hits) == 1
            action = client.get(f"/api/v1/actions/{hits[0]['action_id']}")
            assert action.status_code == 200
            assert counted_under(client, "1") == 1
            # Writes stay closed without the development switch.
            assert client.post("/api/v1/actions", json=ACTION).status_code == 401
    finally:
        again.terminate()


def test_a_port_in_use_is_named_with_its_setting(tmp_path: Path) -> None:
    env = platform_env(tmp_path / "var")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env["HTK_SEARCH_PORT"])))
        taken.listen()
        result = subprocess.run(
            [sys.executable, "-m", "htk_cli.main", "up"],
            env={**os.environ, **env},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"Port {env['HTK_SEARCH_PORT']} (search service) is already in use" in result.stdout
    assert "HTK_SEARCH_PORT" in result.stdout
    assert not (tmp_path / "var" / "log" / "tansu.log").exists(), "nothing was started"
