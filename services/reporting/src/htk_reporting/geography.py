"""Municipalities and their wellbeing services counties, from the reference data files.

Reporting reads the files itself (not the catalogue's database) because geography changes only
with a new data release; codes stay text so leading zeros survive ("005").
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Geography:
    county_of: dict[str, str] = field(default_factory=dict)  # municipality code -> county code
    municipality_names: dict[str, str] = field(default_factory=dict)
    county_names: dict[str, str] = field(default_factory=dict)

    def municipalities_in(self, county: str) -> list[str]:
        return sorted(m for m, c in self.county_of.items() if c == county)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_geography(data_dir: Path) -> Geography:
    directory = data_dir / "geography"
    municipalities = _rows(directory / "municipalities.csv")
    counties = _rows(directory / "wellbeing_counties.csv")
    return Geography(
        county_of={r["code"]: r["county_code"] for r in municipalities},
        municipality_names={r["code"]: r["name_fi"] for r in municipalities},
        county_names={r["code"]: r["name_fi"] for r in counties},
    )
