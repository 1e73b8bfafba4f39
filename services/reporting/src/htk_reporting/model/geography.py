"""Municipalities and their wellbeing services counties, from the reference data files.

Reporting reads the files through the shared loader (not the catalogue's database) because
geography changes only with a new data release; codes stay text so leading zeros survive.
"""

from dataclasses import dataclass, field
from pathlib import Path

from htk_runtime import geography as shared


@dataclass(frozen=True)
class Geography:
    county_of: dict[str, str] = field(default_factory=dict)  # municipality code -> county code
    municipality_names: dict[str, str] = field(default_factory=dict)
    county_names: dict[str, str] = field(default_factory=dict)
    # {code: {"fi", "sv", "en"}}: the counties' names for reports in each language.
    county_names_i18n: dict[str, dict[str, str]] = field(default_factory=dict)
    # The same for municipalities, for the place pages.
    municipality_names_i18n: dict[str, dict[str, str]] = field(default_factory=dict)

    def municipalities_in(self, county: str) -> list[str]:
        return sorted(m for m, c in self.county_of.items() if c == county)


def load_geography(data_dir: Path) -> Geography:
    places = shared.load_geography(data_dir / "geography")
    return Geography(
        county_of={code: m.county_code for code, m in places.municipalities.items()},
        municipality_names={code: m.name_fi for code, m in places.municipalities.items()},
        county_names={code: c.name_fi for code, c in places.counties.items()},
        county_names_i18n={
            code: {"fi": c.name_fi, "sv": c.name_sv, "en": c.name_en}
            for code, c in places.counties.items()
        },
        municipality_names_i18n={
            code: {"fi": m.name_fi, "sv": m.name_sv, "en": m.name_en}
            for code, m in places.municipalities.items()
        },
    )
