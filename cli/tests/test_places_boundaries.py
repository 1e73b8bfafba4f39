"""``htk places boundaries fetch`` against a small local WFS stand-in (never the real service):
a layer with the 308 known municipalities is stored and then drawn by the map's loader; a layer
missing one is refused whole and nothing is written."""

import csv
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from htk_cli.main import main
from htk_reporting.places.geometry import municipality_paths

REPO = Path(__file__).resolve().parents[2]


def _square(lon: float, lat: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + 0.2, lat], [lon + 0.2, lat + 0.1], [lon, lat + 0.1], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _layers(drop: int) -> dict[str, dict[str, Any]]:
    with (REPO / "data" / "places" / "municipality_centroids.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with (REPO / "data" / "geography" / "municipalities.csv").open(encoding="utf-8") as f:
        county_of = {r["code"]: r["county_code"] for r in csv.DictReader(f)}
    features = [
        {
            "type": "Feature",
            "properties": {"kunta": r["kunta"], "nimi": r["nimi"], "namn": r["nimi"]},
            "geometry": _square(float(r["lon"]), float(r["lat"])),
        }
        for r in rows[drop:]
    ]
    counties = [
        {"type": "Feature", "properties": {"hva": c}, "geometry": _square(25.0, 62.0)}
        for c in sorted(set(county_of.values()))
    ]
    return {
        "tilastointialueet:kunta4500k_2025": {"type": "FeatureCollection", "features": features},
        "tilastointialueet:hyvinvointialue4500k_2026": {
            "type": "FeatureCollection",
            "features": counties,
        },
    }


@pytest.fixture
def fake_wfs() -> Iterator[tuple[str, dict[str, Any], list[dict[str, list[str]]]]]:
    state: dict[str, Any] = {"layers": _layers(0)}
    asked: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlparse(self.path).query)
            asked.append(query)
            layer = state["layers"].get(query.get("typeName", [""])[0])
            body = json.dumps(layer).encode() if layer else b"no such layer"
            self.send_response(200 if layer else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/geoserver/wfs", state, asked
    finally:
        server.shutdown()


def test_fetch_stores_checked_layers_and_refuses_an_incomplete_one(
    fake_wfs: tuple[str, dict[str, Any], list[dict[str, list[str]]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, state, asked = fake_wfs
    monkeypatch.chdir(REPO)
    out = tmp_path / "geodata"
    assert main(["places", "boundaries", "fetch", "--url", url, "--out", str(out)]) == 0
    assert asked[0]["outputFormat"] == ["json"] and asked[0]["srsName"] == ["EPSG:4326"]
    stored = json.loads((out / "municipalities_2025_4500k.geojson").read_text("utf-8"))
    assert len(stored["features"]) == 308
    assert (out / "wellbeing_counties_2026_4500k.geojson").exists()
    assert "308 features, checked" in capsys.readouterr().out
    # The map's loader reads what was stored: one path per municipality.
    paths = municipality_paths(out)
    assert len(paths) == 308 and paths["091"].startswith("M")

    state["layers"] = _layers(1)  # Alajärvi (005) missing
    other = tmp_path / "second"
    assert main(["places", "boundaries", "fetch", "--url", url, "--out", str(other)]) == 1
    said = capsys.readouterr().out
    assert "307 features, expected 308" in said and "missing codes 005" in said
    assert not other.exists() or not any(other.iterdir())
