"""Calls from the gateway to the services, answered to the caller as they came."""

import logging
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Response

from htk_runtime.errors import DomainError

log = logging.getLogger(__name__)


# Characters a path segment may carry as they are (RFC 3986 pchar); "?", "#", "%", spaces and
# control characters from a visitor's path parameter are sent encoded, as the text they were.
PATH_SAFE = "/:@!$&'()*+,;="


class Upstreams:
    def __init__(self, urls: dict[str, str], timeout: float) -> None:
        self.client = httpx.AsyncClient(timeout=timeout)
        self.urls = urls

    def url(self, service: str, path: str) -> str:
        """The service's address for ``path``, built from decoded path parameters: a "?" in
        an id must not start a query of the gateway's choosing on the service."""
        return self.urls[service] + quote(path, safe=PATH_SAFE)

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
        url = self.url(service, path)
        try:
            upstream = await self.client.request(
                method, url, params=params, content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            log.warning("upstream unavailable", extra={"service": service, "error": repr(exc)})
            raise unavailable(service) from exc
        return Response(
            upstream.content,
            status_code=upstream.status_code,
            media_type=upstream.headers.get("content-type"),
            headers={
                h: upstream.headers[h]
                for h in (*pass_headers, "retry-after")
                if h in upstream.headers
            },
        )

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call whose answer the gateway reads itself, rather than passing it on."""
        try:
            return await self.client.request(method, self.url(service, path), **kwargs)
        except httpx.HTTPError as exc:
            log.warning("upstream unavailable", extra={"service": service, "error": repr(exc)})
            raise unavailable(service) from exc

    async def close(self) -> None:
        await self.client.aclose()


def unavailable(service: str) -> DomainError:
    # With Retry-After like the services' own 503s: the caller may simply repeat the request.
    return DomainError(
        503,
        f"The {service} service is not available right now; try again shortly",
        headers={"Retry-After": "5"},
    )
