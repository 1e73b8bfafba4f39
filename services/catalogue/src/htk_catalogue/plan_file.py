"""Reading a plan file (CSV, UTF-8): every error is collected with its line and field.

A file with any error is refused whole, so the caller gets either a complete plan or the full
list of what to fix; nothing in between reaches the database.

Columns (header names, any order):

- required: ``code``, ``name_fi``, ``name_sv``, ``name_en``
- optional: ``description_fi`` (or ``description``), ``responsible`` (bodies separated by ``;``),
  ``example`` (``yes``/``no``, default ``no``), ``state`` (``active``/``retired``/``merged``,
  default ``active``), ``merged_into`` (the code a merged node went into)
"""

import csv
import dataclasses
import io
from dataclasses import dataclass

from pydantic import ValidationError

from htk_catalogue.plan_tree import code_problem, level_of, ordered, tree_problems
from htk_contracts.catalogue import Names, PlanNode, PlanNodeState

REQUIRED = ("code", "name_fi", "name_sv", "name_en")
OPTIONAL = (
    "description_fi",
    "description",
    "responsible",
    "example",
    "state",
    "merged_into",
)
MAX_ROWS = 5000
MAX_TEXT = 2000
YES_NO = {"yes": True, "no": False, "": False}


@dataclass(frozen=True)
class FileError:
    """One problem of a plan file. ``error`` names the rule and ``params`` its values, so that a
    page can say it in the reader's language; ``message`` is the English."""

    line: int
    field: str
    message: str
    error: str = "invalid"
    params: dict[str, str] = dataclasses.field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "error": self.error,
            "params": self.params,
        }

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class PlanFileRefused(Exception):
    def __init__(self, errors: list[FileError]) -> None:
        super().__init__(f"the plan file has {len(errors)} error(s)")
        self.errors = errors


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileRefused(
            [
                FileError(
                    1,
                    "file",
                    f"the file is not UTF-8 text (byte {exc.start}); save as UTF-8",
                    "not_utf8",
                    {"byte": str(exc.start)},
                )
            ]
        ) from exc


def parse_plan(data: bytes) -> list[PlanNode]:
    """The nodes of a plan file, parents before children; raises :class:`PlanFileRefused`."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    errors: list[FileError] = []
    if not header:
        raise PlanFileRefused([FileError(1, "file", "the file is empty", "empty_file")])
    for column in REQUIRED:
        if column not in header:
            errors.append(
                FileError(
                    1,
                    column,
                    f"the header has no column {column}",
                    "missing_column",
                    {"column": column},
                )
            )
    for column in header:
        if column not in REQUIRED + OPTIONAL:
            errors.append(
                FileError(
                    1, column, f"unknown column {column!r}", "unknown_column", {"column": column}
                )
            )
    if errors:
        raise PlanFileRefused(errors)

    nodes: list[PlanNode] = []
    line_of: dict[str, int] = {}
    previous_end = reader.line_num
    for row in reader:
        line = previous_end + 1  # a quoted cell may span lines: report where the row starts
        previous_end = reader.line_num
        if len(nodes) + len(errors) >= MAX_ROWS:
            errors.append(
                FileError(
                    line,
                    "file",
                    f"more than {MAX_ROWS} rows",
                    "too_many_rows",
                    {"max": str(MAX_ROWS)},
                )
            )
            break
        node = _node(row, line, errors)
        if node is not None:
            if node.code in line_of:
                errors.append(
                    FileError(
                        line,
                        "code",
                        f"code {node.code} is already on line {line_of[node.code]}",
                        "duplicate_line",
                        {"code": node.code, "other": str(line_of[node.code])},
                    )
                )
                continue
            line_of[node.code] = line
            nodes.append(node)
    if not nodes and not errors:
        errors.append(FileError(2, "file", "the file has a header but no rows", "no_rows"))
    for problem in tree_problems(nodes):
        errors.append(
            FileError(
                line_of.get(problem.code, 1),
                problem.field,
                problem.message,
                problem.error,
                problem.params,
            )
        )
    if errors:
        raise PlanFileRefused(sorted(errors, key=lambda e: e.line))
    return ordered(nodes)


def _node(
    row: dict[str | None, str | list[str] | None], line: int, errors: list[FileError]
) -> PlanNode | None:
    if None in row:  # more cells than header columns
        errors.append(
            FileError(line, "file", "the row has more cells than the header", "extra_cells")
        )
        return None

    def cell(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    before = len(errors)
    code = cell("code")
    problem = code_problem(code)
    if problem:
        errors.append(FileError(line, "code", problem, "bad_code", {"value": code}))
    names = {lang: cell(f"name_{lang}") for lang in ("fi", "sv", "en")}
    for lang, value in names.items():
        if not value:
            errors.append(FileError(line, f"name_{lang}", "the name is empty", "empty_name"))
    for column in ("name_fi", "name_sv", "name_en", "description_fi", "description"):
        if len(cell(column)) > MAX_TEXT:
            errors.append(
                FileError(
                    line,
                    column,
                    f"longer than {MAX_TEXT} characters",
                    "too_long",
                    {"max": str(MAX_TEXT)},
                )
            )
    example = cell("example").lower()
    if example not in YES_NO:
        errors.append(
            FileError(
                line, "example", f"{example!r} is not yes or no", "bad_example", {"value": example}
            )
        )
    state = cell("state").lower() or PlanNodeState.ACTIVE.value
    if state not in {s.value for s in PlanNodeState}:
        errors.append(
            FileError(
                line,
                "state",
                f"{state!r} is not active, retired or merged",
                "bad_state",
                {"value": state},
            )
        )
    if len(errors) > before:
        return None
    try:
        return PlanNode(
            code=code,
            level=level_of(code),
            name=Names(**names),
            description=cell("description_fi") or cell("description"),
            responsible=[r.strip() for r in cell("responsible").split(";") if r.strip()],
            state=PlanNodeState(state),
            merged_into=cell("merged_into") or None,
            example=YES_NO[example],
        )
    except ValidationError as exc:
        for e in exc.errors():
            errors.append(
                FileError(
                    line,
                    ".".join(str(p) for p in e["loc"]),
                    e["msg"],
                    "invalid",
                    {"detail": e["msg"]},
                )
            )
        return None
