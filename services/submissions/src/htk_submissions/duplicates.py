"""Likely duplicates of a draft, asked from the search service while the member waits.

Search being away must not stop anyone from drafting: the answer then says it is unavailable.
"""

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class SimilarActions:
    def __init__(self, search_url: str, timeout: float = 2.0) -> None:
        self.client = httpx.AsyncClient(base_url=search_url, timeout=timeout)

    async def find(
        self,
        text: str,
        exclude: list[str],
        limit: int = 5,
        language: str = "fi",
        measures: list[str] | None = None,
    ) -> dict[str, Any]:
        body = {
            "text": text,
            "exclude": exclude,
            "limit": limit,
            "language": language,
            "measures": measures or [],
        }
        try:
            response = await self.client.post("/similar", json=body)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("similar actions unavailable", extra={"error": repr(exc)})
            return {"available": False, "actions": []}
        hits = response.json().get("hits", [])
        return {
            "available": True,
            "actions": [
                {k: h.get(k) for k in ("action_id", "title", "summary", "organisation_id", "score")}
                for h in hits
            ],
        }

    async def close(self) -> None:
        await self.client.aclose()
