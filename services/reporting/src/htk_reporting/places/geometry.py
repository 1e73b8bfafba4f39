"""Map shapes in SVG coordinates: municipality and county boundaries from a GeoJSON file whose
directory is a setting, or, without one, dots at the municipalities' centroids.

The boundary files are not part of the project (see data/places/README.md): they are read at
run time and the projected paths kept per file for the life of the process. The projection is a
plain equirectangular one scaled by cos(64.5°), which keeps Finland's shape recognisable without
a projection library; dots and shapes share it so either can be drawn on the same frame."""

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from htk_reporting.model.geography import Geography
from htk_reporting.places.population import load_centroids

LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 19.0, 31.7, 59.65, 70.15
SCALE = 60.0
MARGIN = 8.0
COS = math.cos(math.radians(64.5))
WIDTH = round((LON_MAX - LON_MIN) * COS * SCALE + 2 * MARGIN)
HEIGHT = round((LAT_MAX - LAT_MIN) * SCALE + 2 * MARGIN)
CODE_PROPERTIES = ("kunta", "hva", "hyvinvointialue", "code", "tunnus")
ATTRIBUTION = (
    "Lähde / Källa / Source: Tilastokeskus, kuntapohjaiset tilastointialueet 1:4 500 000 (2025), "
    "CC BY 4.0"
)
DOT_ATTRIBUTION = (
    "Lähde / Källa / Source: Tilastokeskus, kuntien keskipisteet tilastointialueista "
    "1:4 500 000 (2025), CC BY 4.0"
)


def project(lon: float, lat: float) -> tuple[float, float]:
    x = (lon - LON_MIN) * COS * SCALE + MARGIN
    y = (LAT_MAX - lat) * SCALE + MARGIN
    return round(x, 1), round(y, 1)


def _ring(points: list[list[float]]) -> str:
    out: list[tuple[float, float]] = []
    for lon, lat, *_ in points:
        p = project(lon, lat)
        # Points closer than about a pixel add bytes, not shape.
        if out and abs(p[0] - out[-1][0]) + abs(p[1] - out[-1][1]) < 0.8:
            continue
        out.append(p)
    if len(out) < 3:
        return ""
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in out) + "Z"


def path_of(geometry: dict[str, Any]) -> str:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return "".join(_ring(ring) for polygon in polygons for ring in polygon)


def code_of(properties: dict[str, Any]) -> str | None:
    for name in CODE_PROPERTIES:
        if properties.get(name) not in (None, ""):
            return str(properties[name])
    return None


@cache
def _paths(path: Path, mtime: float, digits: int) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for feature in data.get("features", []):
        code = code_of(feature.get("properties") or {})
        if code is None:
            continue
        out[code.zfill(digits)] = out.get(code.zfill(digits), "") + path_of(
            feature.get("geometry") or {}
        )
    return out


def _newest(directory: Path, prefix: str) -> Path | None:
    found = sorted(directory.glob(f"{prefix}*.geojson"))
    return found[-1] if found else None


@dataclass(frozen=True)
class Region:
    code: str
    paths: list[str] = field(default_factory=list)  # SVG path data, one per piece
    dot: tuple[float, float] | None = None  # centre of a dot when there are no shapes
    radius: float = 0.0


@dataclass(frozen=True)
class Frame:
    kind: str  # "boundaries" or "dots"
    width: int
    height: int
    regions: list[Region]
    attribution: str


def municipality_paths(boundaries_dir: Path | None) -> dict[str, str]:
    if boundaries_dir is None:
        return {}
    file = _newest(boundaries_dir, "municipalities")
    return _paths(file, file.stat().st_mtime, 3) if file else {}


def county_paths(boundaries_dir: Path | None) -> dict[str, str]:
    if boundaries_dir is None:
        return {}
    file = _newest(boundaries_dir, "wellbeing_counties")
    return _paths(file, file.stat().st_mtime, 2) if file else {}


def frame(level: str, geo: Geography, data_dir: Path, boundaries_dir: Path | None) -> Frame:
    """The regions of a map of municipalities or counties, in code order."""
    municipalities = municipality_paths(boundaries_dir)
    if municipalities:
        if level == "municipality":
            regions = [Region(c, paths=[municipalities[c]]) for c in sorted(geo.county_of)
                       if c in municipalities]  # fmt: skip
        else:
            counties = county_paths(boundaries_dir)
            regions = []
            for county in sorted(geo.county_names):
                if county in counties:
                    regions.append(Region(county, paths=[counties[county]]))
                else:
                    # No county file: the county is drawn as its municipalities, one link.
                    pieces = [municipalities[m] for m in geo.municipalities_in(county)
                              if m in municipalities]  # fmt: skip
                    regions.append(Region(county, paths=pieces))
        return Frame("boundaries", WIDTH, HEIGHT, regions, ATTRIBUTION)
    centroids = load_centroids(data_dir)
    if level == "municipality":
        regions = [
            Region(c, dot=project(centroids[c][1], centroids[c][0]), radius=4.0)
            for c in sorted(geo.county_of)
            if c in centroids
        ]
    else:
        regions = []
        for county in sorted(geo.county_names):
            points = [centroids[m] for m in geo.municipalities_in(county) if m in centroids]
            if not points:
                continue
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
            regions.append(Region(county, dot=project(lon, lat), radius=11.0))
    return Frame("dots", WIDTH, HEIGHT, regions, DOT_ATTRIBUTION)
