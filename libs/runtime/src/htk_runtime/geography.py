"""Finnish municipalities and wellbeing services counties valid in 2026, from ``data/geography``.

Static reference data (Statistics Finland, CC BY 4.0) that every service may load to validate
codes; the catalogue serves it over HTTP. Codes are text: leading zeros matter ("005", "091").
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Place:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    county_code: str = ""  # municipalities only
    region_code: str = ""  # municipalities only


@dataclass(frozen=True)
class Geography:
    municipalities: dict[str, Place]
    counties: dict[str, Place]

    def municipalities_of(self, county_code: str) -> list[Place]:
        return [m for m in self.municipalities.values() if m.county_code == county_code]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def load_geography(directory: Path) -> Geography:
    municipalities = {
        r["code"]: Place(
            r["code"], r["name_fi"], r["name_sv"], r["name_en"], r["county_code"], r["region_code"]
        )
        for r in _rows(directory / "municipalities.csv")
    }
    counties = {
        r["code"]: Place(r["code"], r["name_fi"], r["name_sv"], r["name_en"])
        for r in _rows(directory / "wellbeing_counties.csv")
    }
    return Geography(municipalities, counties)
