"""Export the event schemas as JSON Schema files (``python -m htk_contracts.schemas DIR``).

The exported files are committed; a test fails when the models drift from them, and checks that a
change stays backward compatible (no new required field, no removed field).
"""

import json
import sys
from pathlib import Path
from typing import Any

from htk_contracts.actions import ACTION_PUBLISHED, ACTION_WITHDRAWN, ActionPublished, ActionWithdrawn
from htk_contracts.envelope import Envelope

EVENT_SCHEMAS: dict[str, type] = {
    ACTION_PUBLISHED: Envelope[ActionPublished],
    ACTION_WITHDRAWN: Envelope[ActionWithdrawn],
}

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def json_schema(event_type: str) -> dict[str, Any]:
    model = EVENT_SCHEMAS[event_type]
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    schema["$id"] = f"urn:htk:event:{event_type}"
    schema["title"] = event_type
    return schema


def export(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type in EVENT_SCHEMAS:
        path = directory / f"{event_type}.json"
        path.write_text(json.dumps(json_schema(event_type), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR
    for p in export(target):
        print(p)
