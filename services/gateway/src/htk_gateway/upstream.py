"""Calls from the gateway to the services, answered to the caller as they came."""

import logging
from typing import Any

import httpx
from fastapi import Response

from htk_runtime.errors import DomainError

log = logging.getLogger(__name__)


class Upstreams:
    def __init__(self, urls: dict[str, str], timeout: float) -> None:
        self.client = httpx.AsyncClient(timeout=timeout)
        self.urls = urls

    async def forward(
        self,
        service: str,
        method: str,
        path: str,
        *,
        params: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        pass_headers: tuple[str, ...] = (),
    ) -> Response:
        url = self.urls[service] + path
        try:
            upstream = await self.client.request(
                method, url, params=params, content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            log.warning("upstream unavailable", extra={"service": service, "error": repr(exc)})
            raise DomainError(
                503, f"The {service} service is not available right now; try again shortly"
            ) from exc
        return Response(
            upstream.content,
            status_code=upstream.status_code,
            media_type=upstream.headers.get("content-type"),
            headers={h: upstream.headers[h] for h in pass_headers if h in upstream.headers},
        )

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call whose answer the gateway reads itself, rather than passing it on."""
        try:
            return await self.client.request(method, self.urls[service] + path, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("upstream unavailable", extra={"service": service, "error": repr(exc)})
            raise DomainError(
                503, f"The {service} service is not available right now; try again shortly"
            ) from exc

    async def close(self) -> None:
        await self.client.aclose()
