"""Municipalities and wellbeing services counties valid in 2026 (Statistics Finland, CC BY 4.0)."""

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Municipality:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    county_code: str
    region_code: str


@dataclass(frozen=True)
class County:
    code: str
    name_fi: str
    name_sv: str
    name_en: str


@dataclass(frozen=True)
class Geography:
    municipalities: dict[str, Municipality]
    counties: dict[str, County]

    def municipalities_of(self, county_code: str) -> list[Municipality]:
        return [m for m in self.municipalities.values() if m.county_code == county_code]


def _rows(path: Path) -> list[dict[str, str]]:
    # Codes stay text: leading zeros matter ("005", "091").
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_geography(directory: Path) -> Geography:
    municipalities = {
        r["code"]: Municipality(
            r["code"], r["name_fi"], r["name_sv"], r["name_en"], r["county_code"], r["region_code"]
        )
        for r in _rows(directory / "municipalities.csv")
    }
    counties = {
        r["code"]: County(r["code"], r["name_fi"], r["name_sv"], r["name_en"])
        for r in _rows(directory / "wellbeing_counties.csv")
    }
    return Geography(municipalities, counties)
