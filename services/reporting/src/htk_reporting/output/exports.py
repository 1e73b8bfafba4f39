"""Tables as CSV and XLSX, each stamped with the plan version and the time it was computed.

Headers: with a reader's language the first row names the columns in it and the second keeps the
keys; without one, the keys alone."""

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from htk_reporting.output.headers import column_labels
from htk_reporting.output.yearly import Lang

STAMP_COLUMNS = ["plan_version", "computed_at"]


def flat_rows(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Distributions become one column per category (``by_org_type:ngo``), in first-seen order."""
    columns: dict[str, None] = {}
    flat: list[dict[str, Any]] = []
    for row in rows:
        out: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, dict):
                for sub, v in value.items():
                    out[f"{key}:{sub}"] = v
            elif isinstance(value, list):
                out[key] = "; ".join(str(v) for v in value)
            else:
                out[key] = value
        columns.update(dict.fromkeys(out))
        flat.append(out)
    names = list(columns)
    # A category absent from a row means none of its actions fell there: a count of 0. Columns
    # that are not counts (names, "no data" shares) stay empty.
    counts = {n for n in names if ":" in n}
    return names, [[r.get(n, 0 if n in counts else None) for n in names] for r in flat]


def _stamp(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP, CSV
# injection): = + - @, the tab and carriage return that some of them skip first, and the
# full-width forms that some of them fold into the ASCII ones.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_text(v: Any) -> Any:
    """Text that a spreadsheet would run is written with a leading apostrophe, which spreadsheet
    programs read as "this is text"; numbers keep their sign because they are not strings."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def _xlsx_row(sheet: Worksheet, row: Sequence[Any]) -> list[Cell]:
    """Cells whose strings are text: openpyxl makes any string starting with = a formula, so
    the type is set explicitly, and the quote prefix keeps it text when someone edits it."""
    cells = []
    for value in row:
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
            if value.startswith(FORMULA_START):
                cell.quotePrefix = True
        cells.append(cell)
    return cells


def header_rows(names: list[str], lang: Lang | None) -> list[list[str]]:
    return [column_labels(names, lang), names] if lang else [names]


def to_csv(
    rows: Sequence[dict[str, Any]],
    plan_version: int,
    computed_at: datetime,
    lang: Lang | None = None,
) -> bytes:
    names, values = flat_rows(rows)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows(header_rows([*names, *STAMP_COLUMNS], lang))
    stamp = computed_at.isoformat()
    for row in values:
        writer.writerow(
            ["" if v is None else csv_text(_stamp(v)) for v in row] + [plan_version, stamp]
        )
    # A byte order mark lets spreadsheet programs see UTF-8 (ä, ö, å) without an import dialog.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(
    title: str,
    rows: Sequence[dict[str, Any]],
    plan_version: int,
    computed_at: datetime,
    about: dict[str, str] | None = None,
    lang: Lang | None = None,
) -> bytes:
    names, values = flat_rows(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    headers = header_rows(names, lang)
    for header in headers:
        sheet.append(header)
    for row in values:
        sheet.append(_xlsx_row(sheet, [_stamp(v) for v in row]))
    sheet.freeze_panes = f"A{len(headers) + 1}"
    info = book.create_sheet("about")
    info.append(["table", title])
    info.append(["plan_version", plan_version])
    info.append(["computed_at", computed_at.isoformat()])
    for key, value in (about or {}).items():
        info.append(_xlsx_row(info, [key, value]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
