"""The plan: priorities, sub-goals and measures, read from a CSV file.

Rows marked ``example=yes`` are example data for demos and tests, not the official plan; the API
says so on every such node.
"""

import csv
from pathlib import Path
from typing import Any


def load_plan(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for row in rows:
        code = row["code"].strip()
        node = {
            "code": code,
            "level": ("priority", "sub_goal", "measure")[code.count(".")],
            "name": {"fi": row["name_fi"], "sv": row["name_sv"], "en": row["name_en"]},
            "description": row["description_fi"],
            "responsible": [r.strip() for r in row["responsible"].split(";") if r.strip()],
            "example": row["example"].strip().lower() == "yes",
            "children": [],
        }
        nodes[code] = node
        parent = code.rsplit(".", 1)[0] if "." in code else None
        (nodes[parent]["children"] if parent else roots).append(node)
    return roots
