"""Indicators: ``htk indicators fetch`` against a small local stand-in for Sotkanet's REST API
(made-up values in its documented format, never the real service), a bad answer refused whole
with its lines named, the example set loaded and marked, and need next to activity from the API."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from htk_cli.main import main
from htk_reporting.main import create_service
from htk_reporting.places.indicators import ImportRefused, parse_values
from htk_testing.reporting_events import action_event, example_plan
from htk_testing.runtime import running, user_headers

REPO = Path(__file__).resolve().parents[2]
INDICATOR = {
    "id": 4242,
    "title": {"fi": "Testi-indikaattori", "sv": "Testindikator", "en": "Test indicator"},
    "organization": {"id": 2, "title": {"fi": "THL"}},
    "primaryValueType": {"title": {"fi": "%", "sv": "%", "en": "%"}},
}
REGIONS = [
    {"id": 833, "category": "KUNTA", "code": "091", "title": {"fi": "Helsinki"}},
    {"id": 834, "category": "KUNTA", "code": "005", "title": {"fi": "Alajärvi"}},
    {"id": 200, "category": "MAA", "code": "1", "title": {"fi": "Koko maa"}},
]


@pytest.fixture
def fake_sotkanet() -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    state: dict[str, Any] = {
        "data": [
            {"indicator": 4242, "region": 833, "year": 2023, "gender": "total", "value": 12.5},
            {"indicator": 4242, "region": 834, "year": 2023, "gender": "total", "value": 20.0},
            {"indicator": 4242, "region": 834, "year": 2023, "gender": "male", "value": 21.0},
            {"indicator": 4242, "region": 200, "year": 2023, "gender": "total", "value": 15.0},
        ]
    }
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            path = urlparse(self.path).path.removeprefix("/rest/1.1")
            query = parse_qs(urlparse(self.path).query)
            body: Any = None
            if path == "/indicators/4242":
                body = INDICATOR
            elif path == "/regions":
                body = REGIONS
            elif path == "/json" and query.get("indicator") == ["4242"]:
                body = state["data"]
            raw = json.dumps(body).encode()
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rest/1.1", state, asked
    finally:
        server.shutdown()


def test_a_bad_file_is_refused_whole_with_its_lines() -> None:
    regions = {833: "municipality:091", 834: "municipality:005"}
    known = {"municipality:091", "municipality:005"}
    text = (
        b"indicator;region;year;gender;value\n"
        b"4242;833;2023;total;12,5\n"
        b"4242;834;20x3;total;3\n"
        b"4242;834;2023;total;lots\n"
        b"4242;833;2023;total;13\n"
    )
    with pytest.raises(ImportRefused) as refused:
        parse_values(text, "csv", 4242, regions, known)
    assert refused.value.errors == [
        {"line": 3, "field": "year", "message": "not a year"},
        {"line": 4, "field": "value", "message": "not a number"},
        {"line": 5, "field": "region", "message": "municipality:091 2023 appears twice"},
    ]
    good = parse_values(text.split(b"\n4242;834;20x3")[0], "csv", 4242, regions, known)
    assert good == [{"kind": "municipality", "code": "091", "year": 2023, "value": 12.5}]


async def test_fetch_from_a_local_sotkanet_and_need_next_to_activity(
    fake_sotkanet: tuple[str, dict[str, Any], list[str]],
    service_env: dict[str, str],
    token_keys: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, state, asked = fake_sotkanet
    monkeypatch.chdir(REPO)
    argv = ["indicators", "fetch", "--indicator", "4242", "--years", "2023", "--url", url]
    # main() runs its own event loop: run it in a thread, away from this test's loop.
    import asyncio

    assert await asyncio.to_thread(main, argv) == 0
    assert "2 values stored as version 1" in capsys.readouterr().out
    assert any("genders=total" in a and "years=2023" in a for a in asked)

    state["data"] = [*state["data"], {"indicator": 4242, "region": 833, "year": "x"}]
    assert await asyncio.to_thread(main, argv) == 1
    said = capsys.readouterr().out
    assert "line 5: year: not a year" in said and "nothing stored" in said

    assert await asyncio.to_thread(main, ["indicators", "load-example"]) == 0
    assert "(EXAMPLE DATA)" in capsys.readouterr().out

    service = create_service()
    async with running(service.app()) as client:
        p = service.ctx().state["projection"]
        await p.apply_plan(example_plan())
        await p.apply(action_event("published", "a1", 1, ["1.1.1"], municipalities=["091"]))
        listed = (await client.get("/indicators")).json()["items"]
        assert [(i["id"], i["example"]) for i in listed] == [
            (4242, False), (900001, True), (900002, True)
        ]  # fmt: skip
        need = (await client.get("/indicators/need", params={"indicator": 4242})).json()
        assert need["year"] == 2023 and need["indicator"]["version"] == 1
        top = need["rows"][:3]
        assert [(r["code"], r["value"], r["actions"]) for r in top] == [
            ("005", 20.0, 0), ("091", 12.5, 1), ("009", None, 0)
        ]  # fmt: skip
        assert top[1]["per_10000"] == 0.0  # 1 action among 684,018 inhabitants
        page = (await client.get("/places/municipality/091")).json()
        mine = {i["id"]: i for i in page["indicators"]}
        assert mine[4242]["values"] == [{"year": 2023, "value": 12.5}]
        assert mine[900001]["example"] is True

        headers = user_headers(token_keys[0], member_id="c1", coordinator=True)
        linked = await client.put(
            "/indicators/4242/sub-goals", json={"sub_goals": ["1.1"]}, headers=headers
        )
        assert linked.status_code == 200 and linked.json()["sub_goals"] == ["1.1"]
        refused = await client.put(
            "/indicators/4242/sub-goals", json={"sub_goals": ["1.1.1"]}, headers=headers
        )
        assert refused.status_code == 422 and "sub_goals" in refused.text
        assert (
            await client.put("/indicators/4242/sub-goals", json={"sub_goals": []})
        ).status_code in (401, 403)
