"""Reading a service's whole list, page by page.

Every list of the services answers one page of the envelope of :mod:`htk_runtime.listing`
(``items``, ``next_cursor``, ``limit``). A page that shows everything (a picker of every
organisation, an organisation's members) follows the cursors here instead of asking for one
big page, which the services refuse.
"""

from typing import Any

from fastapi import Request

from htk_gateway.web.calls import read
from htk_runtime.auth import User
from htk_runtime.listing import MAX_LIMIT

# A bound on the loop: 100 pages of 200 are more than any list a page shows.
MAX_PAGES = 100


async def read_all(
    request: Request,
    user: User | None,
    service: str,
    path: str,
    params: dict[str, Any] | None = None,
) -> list[Any] | None:
    """Every item of a list, or None when the service does not answer (a part of a list would
    pass for all of it)."""
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        query = {**(params or {}), "limit": MAX_LIMIT, **({"cursor": cursor} if cursor else {})}
        page = await read(request, user, service, path, params=query)
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            return None
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return items
