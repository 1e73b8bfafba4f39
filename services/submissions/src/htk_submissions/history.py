"""Differences between two versions of an action's content, field by field."""

from typing import Any


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for field in sorted(set(old) | set(new)):
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        change: dict[str, Any] = {"field": field, "before": before, "after": after}
        if isinstance(before, list) and isinstance(after, list):
            change["added"] = [v for v in after if v not in before]
            change["removed"] = [v for v in before if v not in after]
        changes.append(change)
    return changes
