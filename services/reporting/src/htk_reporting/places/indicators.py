"""Welfare indicators from THL's Sotkanet indicator bank (CC BY 4.0, "Lähde: THL, Sotkanet.fi").

Sotkanet's data rows (``/json?indicator=ID&years=Y&genders=total`` or its CSV export) are keyed by
Sotkanet's own region ids; ``/regions`` maps them to municipality codes (category ``KUNTA``) and
county codes (``HYVINVOINTIALUE``). An import is checked whole: any row that cannot be read makes
the whole file refused, with an error per line, and nothing is stored.

Storage (reporting's database, see ``indicator_store``): one document per indicator (titles
fi/sv/en, source organisation, unit, the sub-goals it concerns, ``example``) and its values per
(region, year) tagged with the import that brought them. Each import raises the indicator's
version; readers see only the current version's values, so an import replaces, never mixes.
Indicators are source data, not a projection of events: a rebuild of the aggregates leaves them
alone, and they are re-created by importing again."""

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

SOURCE = "THL, Sotkanet.fi"
LICENCE = "CC BY 4.0"


class ImportRefused(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass(frozen=True)
class IndicatorMeta:
    id: int
    title: dict[str, str]
    organisation: str
    unit: dict[str, str] = field(default_factory=dict)
    example: bool = False
    sub_goals: list[str] = field(default_factory=list)


def meta_from_sotkanet(data: dict[str, Any], example: bool = False) -> IndicatorMeta:
    """``/indicators/{id}``: id, title {fi,sv,en}, organization.title, primaryValueType.title."""
    try:
        ident = int(data["id"])
        title = {k: str(v) for k, v in (data.get("title") or {}).items() if v}
    except (KeyError, TypeError, ValueError) as exc:
        raise ImportRefused([{"line": 0, "field": "id", "message": "no indicator id"}]) from exc
    if not title:
        raise ImportRefused([{"line": 0, "field": "title", "message": "no title"}])
    organisation = ((data.get("organization") or {}).get("title") or {}).get("fi") or "THL"
    unit = {k: str(v) for k, v in ((data.get("primaryValueType") or {}).get("title") or {}).items()}
    return IndicatorMeta(ident, title, str(organisation), unit, example,
                         [str(s) for s in data.get("sub_goals", [])])  # fmt: skip


def region_map(regions: list[dict[str, Any]], county_ids: dict[int, str]) -> dict[int, str]:
    """Sotkanet region id -> ``municipality:<code>`` or ``county:<code>``."""
    out = {rid: f"county:{code}" for rid, code in county_ids.items()}
    for r in regions:
        category, code = str(r.get("category", "")).upper(), str(r.get("code", ""))
        if category == "KUNTA" and code.isdigit():
            out[int(r["id"])] = f"municipality:{code.zfill(3)}"
        elif category == "HYVINVOINTIALUE" and code.isdigit():
            out[int(r["id"])] = f"county:{code.zfill(2)}"
    return out


def _rows(content: bytes, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    text = content.decode("utf-8-sig")
    if fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportRefused(
                [{"line": 0, "field": "file", "message": f"not JSON: {exc}"}]
            ) from None
        if not isinstance(data, list):
            raise ImportRefused([{"line": 0, "field": "file", "message": "expected a list"}])
        return [(i, row if isinstance(row, dict) else {}) for i, row in enumerate(data, start=1)]
    dialect = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    # Line numbers count the header as line 1, as a spreadsheet shows them.
    return [(i, dict(row)) for i, row in enumerate(reader, start=2)]


def parse_values(
    content: bytes, fmt: str, indicator: int, regions: dict[int, str], known: set[str]
) -> list[dict[str, Any]]:
    """Values of one indicator for total gender, checked whole: every error names its line."""
    values, errors = [], []
    seen: set[tuple[str, int]] = set()
    for line, row in _rows(content, fmt):

        def fail(name: str, message: str, line: int = line) -> None:
            errors.append({"line": line, "field": name, "message": message})

        gender = str(row.get("gender") or "total")
        if gender != "total":
            continue
        try:
            if int(str(row.get("indicator"))) != indicator:
                fail("indicator", f"expected indicator {indicator}")
                continue
        except ValueError:
            fail("indicator", "not a number")
            continue
        try:
            region_id = int(str(row.get("region")))
        except ValueError:
            fail("region", "not a number")
            continue
        place = regions.get(region_id)
        if place is None:
            continue  # regions other than municipalities and counties (whole country, areas)
        if place not in known:
            fail("region", f"{place} is not a municipality or county of the reference data")
            continue
        try:
            year = int(str(row.get("year")))
            if not 1990 <= year <= 2100:
                raise ValueError
        except ValueError:
            fail("year", "not a year")
            continue
        raw = row.get("value", row.get("primaryValue"))
        if raw in (None, ""):
            continue  # Sotkanet leaves a value out where it is suppressed: no data, not zero
        try:
            value = float(str(raw).replace(",", "."))
        except ValueError:
            fail("value", "not a number")
            continue
        if (place, year) in seen:
            fail("region", f"{place} {year} appears twice")
            continue
        seen.add((place, year))
        kind, _, code = place.partition(":")
        values.append({"kind": kind, "code": code, "year": year, "value": value})
    if errors:
        raise ImportRefused(errors)
    if not values:
        raise ImportRefused([{"line": 0, "field": "file", "message": "no values"}])
    return values
