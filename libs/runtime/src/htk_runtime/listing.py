"""The one list convention of every HTTP API: an envelope and keyset (cursor) pagination.

``{"items": [...], "next_cursor": "..." | null, "limit": 50}``. A client asks for the next page
by sending ``next_cursor`` back as ``cursor``; the cursor is opaque (the sort key of the last
item, encoded), so a page never skips or repeats an item when others are added meanwhile, as
offsets would. ``limit`` is bounded so no single call can ask for the whole database.
"""

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from htk_runtime.errors import DomainError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}.")
]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512, description="The `next_cursor` of the previous page; absent for the first."
    ),
]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Send as `cursor` for the next page; null on the last page."
    )
    limit: int


def encode_cursor(position: dict[str, Any]) -> str:
    """The sort key of a page's last item as an opaque, URL-safe cursor."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor stands for; a cursor that is not one of ours is the caller's
    mistake (422 naming the field), not a server error."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict):
        raise DomainError(422, "The cursor is not valid; start again from the first page", "cursor")
    return position


def page_of(items: list[T], limit: int, key: Any) -> Page[T]:
    """Build a page from up to ``limit + 1`` items fetched in sort order: the extra item only
    tells that there is a next page. ``key(item)`` gives the cursor position of an item."""
    more = len(items) > limit
    shown = items[:limit]
    return Page[T](
        items=shown,
        next_cursor=encode_cursor(key(shown[-1])) if more and shown else None,
        limit=limit,
    )
