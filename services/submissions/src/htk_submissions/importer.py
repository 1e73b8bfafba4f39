"""Bulk import of actions from the spreadsheets organisations already keep (CSV or XLSX).

A dry run reports every row's errors by row and column and changes nothing. A real run imports
each valid row in a transaction of its own, so no row is ever half imported, and skips rows
already imported before (the same content gives the same import key), so importing the same
file twice creates nothing new and a run cut short can simply be run again.
"""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from pydantic import ValidationError

from htk_runtime.errors import DomainError
from htk_submissions.domain import ActionContent

LIST_COLUMNS = (
    "partner_organisation_ids",
    "measures",
    "counties",
    "municipalities",
    "target_groups",
    "inequality_dimensions",
    "links",
)
COLUMNS = (
    "title",
    "summary",
    "description",
    "organisation_id",
    "partner_organisation_ids",
    "contact_member_id",
    "measures",
    "national",
    "counties",
    "municipalities",
    "place_detail",
    "target_groups",
    "inequality_reduction",
    "inequality_dimensions",
    "state",
    "start_date",
    "end_date",
    "language",
    "links",
)
REQUIRED = ("title", "summary", "organisation_id", "measures", "inequality_reduction")
EXAMPLE_ROW = {
    "title": "Ikäihmisten kohtaamispaikka",
    "summary": "Viikoittainen kohtaamispaikka yksin asuville ikäihmisille.",
    "organisation_id": "org-1",
    "measures": "1.1.1; 3.1.1",
    "national": "no",
    "municipalities": "564",
    "target_groups": "older_people",
    "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat ikäihmiset.",
    "inequality_dimensions": "socioeconomic; age",
    "state": "ongoing",
    "start_date": "2026-01-15",
    "language": "fi",
    "links": "https://www.innokyla.fi/fi/toimintamalli/esimerkki",
}
TRUE = {"yes", "true", "1", "kyllä", "kylla", "ja", "x"}
FALSE = {"no", "false", "0", "ei", "nej", ""}


class ImportFileError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(422, message, field="file")


@dataclass
class RowResult:
    row: int
    content: ActionContent | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    plan_version: int | None = None

    @property
    def import_key(self) -> str:
        assert self.content is not None
        payload = json.dumps(self.content.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("The file is not text in UTF-8 or Windows-1252")


def read_rows(filename: str, data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts keyed by column, numbered as the spreadsheet shows them (header = 1)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:
            raise ImportFileError(f"The file could not be read as XLSX: {exc}") from exc
        rows = [
            ["" if v is None else str(v).strip() for v in r]
            for r in sheet.iter_rows(values_only=True)
        ]
    elif name.endswith(".csv"):
        text = _decode(data)
        try:
            dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = [[v.strip() for v in r] for r in csv.reader(io.StringIO(text), dialect)]
    else:
        raise ImportFileError("Upload a .csv or .xlsx file")
    if not rows:
        raise ImportFileError("The file is empty")
    header = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        problems = []
        if missing:
            problems.append("missing columns: " + ", ".join(missing))
        if unknown:
            problems.append("unknown columns: " + ", ".join(unknown))
        raise ImportFileError("The header row is not right (" + "; ".join(problems) + ")")
    for number, values in enumerate(rows[1:], start=2):
        if not any(values):
            continue
        yield number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}


def parse_row(number: int, cells: dict[str, str]) -> RowResult:
    result = RowResult(row=number)
    data: dict[str, Any] = {}
    for column, value in cells.items():
        if column in LIST_COLUMNS:
            items = [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]
            data[column] = [{"url": u} for u in items] if column == "links" else items
        elif column == "national":
            lowered = value.lower()
            if lowered not in TRUE | FALSE:
                result.errors.append(
                    {
                        "row": number,
                        "column": column,
                        "message": "write yes or no",
                        "type": "yes_or_no",
                    }
                )
            data[column] = lowered in TRUE
        elif value:
            data[column] = value
    try:
        result.content = ActionContent.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            result.errors.append(
                {
                    "row": number,
                    "column": loc[0] if loc else "",
                    "type": error["type"],
                    "message": error["msg"]
                    + (f" (item {int(loc[1]) + 1})" if len(loc) > 1 and loc[1].isdigit() else ""),
                }
            )
    return result


def template(kind: str) -> bytes:
    if kind == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "actions"
        sheet.append(list(COLUMNS))
        sheet.append([EXAMPLE_ROW.get(c, "") for c in COLUMNS])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW.get(c, "") for c in COLUMNS])
    return ("\ufeff" + text.getvalue()).encode()  # BOM: spreadsheets then read UTF-8 right
