"""Municipalities and wellbeing services counties, read from the geography CSVs."""

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Geography:
    municipality_county: dict[str, str] = field(default_factory=dict)
    county_municipalities: dict[str, frozenset[str]] = field(default_factory=dict)
    county_names: dict[str, str] = field(default_factory=dict)
    municipality_names: dict[str, str] = field(default_factory=dict)

    def counties_of(self, municipalities: list[str]) -> set[str]:
        return {
            self.municipality_county[m] for m in municipalities if m in self.municipality_county
        }

    def municipalities_of(self, counties: list[str]) -> set[str]:
        found: set[str] = set()
        for county in counties:
            found |= self.county_municipalities.get(county, frozenset())
        return found


def load_geography(data_dir: Path) -> Geography:
    directory = data_dir / "geography"
    municipality_county: dict[str, str] = {}
    municipality_names: dict[str, str] = {}
    with (directory / "municipalities.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            municipality_county[row["code"]] = row["county_code"]
            municipality_names[row["code"]] = row["name_fi"]
    county_names: dict[str, str] = {}
    with (directory / "wellbeing_counties.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            county_names[row["code"]] = row["name_fi"]
    by_county: dict[str, set[str]] = {}
    for municipality, county in municipality_county.items():
        by_county.setdefault(county, set()).add(municipality)
    return Geography(
        municipality_county=municipality_county,
        county_municipalities={c: frozenset(m) for c, m in by_county.items()},
        county_names=county_names,
        municipality_names=municipality_names,
    )
