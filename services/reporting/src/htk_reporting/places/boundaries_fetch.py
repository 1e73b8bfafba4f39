"""Download the official boundary files from Statistics Finland's open WFS service and check them
before anything is stored: the municipality layer must hold exactly the 308 municipalities of the
reference data (every code known, none missing); the county layer, when present, only known
counties. A file that fails a check is not written, so a bad download never replaces a good one.

The files stay outside the repository (under var/ by default); the map reads them through
``HTK_REPORTING_BOUNDARIES_DIR``."""

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from htk_reporting.places.geometry import code_of

DEFAULT_URL = "https://geo.stat.fi/geoserver/wfs"
MUNICIPALITY_LAYER = "tilastointialueet:kunta4500k_{year}"
COUNTY_LAYER = "tilastointialueet:hyvinvointialue4500k_{year}"


class BoundaryError(Exception):
    pass


@dataclass(frozen=True)
class Fetched:
    path: Path
    features: int


class CountyLayerSkipped(Exception):
    def __init__(self, fetched: list[Fetched], reason: str) -> None:
        super().__init__(reason)
        self.fetched = fetched
        self.reason = reason


def _get(client: httpx.Client, url: str, layer: str) -> dict[str, Any]:
    params = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeName": layer,
        "outputFormat": "json",
        "srsName": "EPSG:4326",
    }
    answer = client.get(url, params=params)
    if answer.status_code != 200:
        raise BoundaryError(f"{layer}: the service answered {answer.status_code}")
    try:
        data = answer.json()
    except ValueError as exc:
        raise BoundaryError(f"{layer}: the answer is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BoundaryError(f"{layer}: the answer has no features")
    return data


def _codes(data: dict[str, Any], digits: int, layer: str) -> list[str]:
    codes = []
    for i, feature in enumerate(data["features"], start=1):
        code = code_of((feature or {}).get("properties") or {})
        if code is None or not code.isdigit():
            raise BoundaryError(f"{layer}: feature {i} has no code")
        if not (feature.get("geometry") or {}).get("coordinates"):
            raise BoundaryError(f"{layer}: feature {i} ({code}) has no geometry")
        codes.append(code.zfill(digits))
    return codes


def check_municipalities(data: dict[str, Any], known: set[str], layer: str) -> None:
    codes = _codes(data, 3, layer)
    problems = []
    if len(codes) != len(known):
        problems.append(f"{len(codes)} features, expected {len(known)}")
    if unknown := sorted(set(codes) - known):
        problems.append(f"unknown codes {', '.join(unknown[:10])}")
    if missing := sorted(known - set(codes)):
        problems.append(f"missing codes {', '.join(missing[:10])}")
    if len(set(codes)) != len(codes):
        problems.append("a code appears twice")
    if problems:
        raise BoundaryError(f"{layer}: " + "; ".join(problems))


def check_counties(data: dict[str, Any], known: set[str], layer: str) -> None:
    codes = _codes(data, 2, layer)
    if unknown := sorted(set(codes) - known):
        raise BoundaryError(f"{layer}: unknown county codes {', '.join(unknown)}")
    if not codes:
        raise BoundaryError(f"{layer}: no counties")


def _write(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.replace(tmp, path)


def fetch(
    out_dir: Path,
    municipalities: set[str],
    counties: set[str],
    url: str = DEFAULT_URL,
    year: int = 2025,
    county_year: int = 2026,
    timeout: float = 60.0,
) -> list[Fetched]:
    """Both layers, checked; the county layer is optional (the map draws a county from its
    municipalities without it), so its failure is reported and skipped, not fatal."""
    fetched = []
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        layer = MUNICIPALITY_LAYER.format(year=year)
        data = _get(client, url, layer)
        check_municipalities(data, municipalities, layer)
        path = out_dir / f"municipalities_{year}_4500k.geojson"
        _write(data, path)
        fetched.append(Fetched(path, len(data["features"])))
        layer = COUNTY_LAYER.format(year=county_year)
        try:
            data = _get(client, url, layer)
            check_counties(data, counties, layer)
        except BoundaryError as exc:
            raise CountyLayerSkipped(fetched, str(exc)) from exc
        path = out_dir / f"wellbeing_counties_{county_year}_4500k.geojson"
        _write(data, path)
        fetched.append(Fetched(path, len(data["features"])))
    return fetched
