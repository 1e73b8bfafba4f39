"""The discussion section a page shows (the action page, a sub-goal's, a measure's or a topic's
page), read from the community service on the reader's behalf."""

from typing import Any

from fastapi import Request

from htk_gateway.pages.discussion_links import subject_page
from htk_gateway.web import reference
from htk_gateway.web.calls import read
from htk_gateway.web.viewer import Viewer

THREADS_PER_PAGE = 20


async def discussion_context(
    request: Request, v: Viewer, kind: str, ref: str, cursor: str | None = None
) -> dict[str, Any] | None:
    """What the discussion section shows; None when there is no discussion to show (the
    community service does not know the subject yet, or is away: the page shows the rest)."""
    subject = await read(request, v.user, "community", f"/discussions/{kind}/{ref}")
    if not subject:
        return None
    params: dict[str, Any] = {"limit": THREADS_PER_PAGE}
    if cursor:
        params["cursor"] = cursor
    threads = await read(
        request, v.user, "community", f"/discussions/{kind}/{ref}/threads", params=params
    )
    names = await reference.organisation_names(request)
    own = sorted((v.user.organisations if v.user else {}).keys())
    return {
        "subject": subject,
        "threads": (threads or {}).get("items", []),
        "next_cursor": (threads or {}).get("next_cursor"),
        "page": subject_page(kind, ref),
        "organisations": [(o, v.t.name(names.get(o)) or o) for o in own],
    }
