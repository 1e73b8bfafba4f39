"""Keyset pagination in MongoDB for the one list envelope (:mod:`htk_runtime.listing`).

A store sorts by a key that is unique (for example ``name_key`` then ``_id``) and asks for the
items strictly after the cursor's position in that order, so a page never skips or repeats an
item when others are added meanwhile. The position comes from the client: only plain strings
and numbers are accepted, so a forged cursor cannot smuggle a query operator in.
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from htk_runtime.errors import DomainError

# (field, 1 ascending or -1 descending), most significant first; the last field is unique.
SortKey = Sequence[tuple[str, int]]


def position_of(doc: dict[str, Any], key: SortKey) -> dict[str, Any]:
    """The cursor position of a stored document: its values of the sort key (times as ISO
    8601 text; ``after`` reads them back when told which fields are times)."""
    values = {field: doc.get(field) for field, _ in key}
    return {f: v.isoformat() if isinstance(v, datetime) else v for f, v in values.items()}


def _refused() -> DomainError:
    return DomainError(422, "The cursor is not valid; start again from the first page", "cursor")


def _value(position: dict[str, Any], field: str, time: bool) -> Any:
    value = position.get(field)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refused()
    if time:
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            raise _refused() from None
    return value


def after(
    position: dict[str, Any] | None, key: SortKey, times: Collection[str] = ()
) -> dict[str, Any]:
    """The filter for the items strictly after ``position`` in the order of ``key``;
    ``times`` names the fields that hold times."""
    if position is None:
        return {}
    values = [_value(position, field, field in times) for field, _ in key]
    clauses = []
    for i, (field, direction) in enumerate(key):
        clause: dict[str, Any] = {f: values[j] for j, (f, _) in enumerate(key[:i])}
        clause[field] = {"$gt" if direction > 0 else "$lt": values[i]}
        clauses.append(clause)
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def paged(
    query: dict[str, Any],
    position: dict[str, Any] | None,
    key: SortKey,
    times: Collection[str] = (),
) -> dict[str, Any]:
    """``query`` narrowed to the items after ``position`` (kept apart with ``$and``, so a
    query's own ``$or`` is untouched)."""
    rest = after(position, key, times)
    if not rest:
        return query
    return {"$and": [query, rest]} if query else rest
