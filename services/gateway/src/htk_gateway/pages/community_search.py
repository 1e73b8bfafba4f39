"""News and events found by a search: their own result type on the search page, beside the
actions (the search service's ``/search/community``), titles in the reader's language or,
missing that, in the language they were written in (marked)."""

from typing import Any

from fastapi import Request

from htk_gateway.web.calls import read
from htk_gateway.web.viewer import Viewer

SHOWN = 5
PATHS = {"news": "/news/", "event": "/events/"}


async def community_results(request: Request, v: Viewer, q: str) -> dict[str, Any] | None:
    """The news and events matching ``q``; None without text or when search does not answer."""
    if not q.strip():
        return None
    found = await read(
        request, None, "search", "/search/community", params={"q": q[:500], "limit": SHOWN}
    )
    if not isinstance(found, dict):
        return None
    hits = []
    for hit in found.get("hits", []):
        titles, summaries = hit.get("title", {}), hit.get("summary", {})
        lang = v.lang if v.lang in titles else hit.get("language", "fi")
        hits.append(
            {
                "kind": hit["kind"],
                "url": f"{PATHS[hit['kind']]}{hit['id']}?lang={v.lang}",
                "title": titles.get(lang) or next(iter(titles.values()), ""),
                "lang": lang,
                "other_language": lang != v.lang,
                "snippet": hit.get("snippet"),
                "summary": summaries.get(lang, ""),
            }
        )
    return {"total": found.get("total", 0), "types": found.get("types", []), "hits": hits}
