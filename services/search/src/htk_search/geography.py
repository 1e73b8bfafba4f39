"""Municipalities and wellbeing services counties, read from the geography CSVs."""

from dataclasses import dataclass, field
from pathlib import Path

from htk_runtime import geography as shared


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
    places = shared.load_geography(data_dir / "geography")
    municipality_county = {code: m.county_code for code, m in places.municipalities.items()}
    by_county: dict[str, set[str]] = {}
    for municipality, county in municipality_county.items():
        by_county.setdefault(county, set()).add(municipality)
    return Geography(
        municipality_county=municipality_county,
        county_municipalities={c: frozenset(m) for c, m in by_county.items()},
        county_names={code: c.name_fi for code, c in places.counties.items()},
        municipality_names={code: m.name_fi for code, m in places.municipalities.items()},
    )
