"""Population and centroids per municipality, from the fact tables in ``data/places``.

Read from files, not events: they change with a yearly data release, like the geography."""

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

POPULATION_FILE = "population_2024-12-31.csv"
POPULATION_DATE = "2024-12-31"
POPULATION_YEAR = 2024
CENTROIDS_FILE = "municipality_centroids.csv"


@dataclass(frozen=True)
class Population:
    date: str = POPULATION_DATE
    year: int = POPULATION_YEAR
    municipalities: dict[str, int] = field(default_factory=dict)
    county_of: dict[str, str] = field(default_factory=dict)

    def of_municipality(self, code: str) -> int | None:
        return self.municipalities.get(code)

    def of_county(self, county: str) -> int | None:
        values = [n for m, n in self.municipalities.items() if self.county_of.get(m) == county]
        return sum(values) if values else None

    def total(self) -> int:
        return sum(self.municipalities.values())


@cache
def load_population(data_dir: Path) -> Population:
    path = data_dir / "places" / POPULATION_FILE
    if not path.exists():
        return Population()
    municipalities: dict[str, int] = {}
    county_of: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            municipalities[row["kunta"]] = int(row["population_2024_12_31"])
            county_of[row["kunta"]] = row["hyvinvointialue_code"]
    return Population(municipalities=municipalities, county_of=county_of)


@cache
def load_centroids(data_dir: Path) -> dict[str, tuple[float, float]]:
    """Municipality code -> (lat, lon)."""
    path = data_dir / "places" / CENTROIDS_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {r["kunta"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)}


def per_10000(count: int | None, population: int | None) -> float | None:
    """Count per 10,000 inhabitants to one decimal; no population is "no data", never zero."""
    if count is None or not population:
        return None
    return round(count * 10_000 / population, 1)
