"""One indicator's values for every municipality or county in one year (the latest held unless
asked): what the need table and the map's indicator measure show. A place without a value is
absent (shown as "no data", never as zero)."""

from typing import Any

from htk_reporting.context import Reporting
from htk_reporting.places import indicator_store as istore
from htk_runtime.errors import DomainError


async def year_values(
    r: Reporting, indicator: int, level: str, year: int | None = None
) -> tuple[dict[str, Any], int | None, dict[str, float]]:
    """(the indicator, the year, code -> value); 404 naming ``indicator`` when it is unknown,
    422 naming ``year`` when the indicator has no values for it."""
    ind = await istore.indicator(r.db, indicator)
    if ind is None:
        raise DomainError(404, f"No indicator {indicator}", field="indicator")
    years = ind.get("years") or []
    if year is None:
        year = max(years) if years else None
    elif year not in years:
        raise DomainError(422, f"The indicator has no values for {year}", field="year")
    values = {v["code"]: v["value"] for v in await istore.values(r.db, ind, level)
              if v["year"] == year}  # fmt: skip
    return ind, year, values
