"""Calls to the services on the reader's behalf, for pages: the reader's token for the
service called (its audience only), or the gateway's own token."""

from typing import Any

import httpx
from fastapi import Request

from htk_gateway.web.deps import gateway_settings, upstreams
from htk_runtime.auth import HEADER, SERVICE_HEADER, User, sign, sign_service
from htk_runtime.errors import DomainError


def user_headers(request: Request, user: User | None, service: str) -> dict[str, str]:
    """The user's token for ``service`` only (its audience), or nothing for a visitor."""
    if user is None:
        return {}
    s = gateway_settings(request)
    return {HEADER: sign(user, s.token_private_key, s.user_token_ttl_seconds, audience=[service])}


def service_headers(request: Request, service: str) -> dict[str, str]:
    """The gateway's own token, for routes that answer the gateway only (joining, signing in)."""
    s = gateway_settings(request)
    return {SERVICE_HEADER: sign_service("gateway", service, s.token_private_key)}


async def call(
    request: Request, user: User | None, service: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """A call to a service as ``user`` (or as a visitor), for a page to read."""
    headers = {**kwargs.pop("headers", {}), **user_headers(request, user, service)}
    return await upstreams(request).call(service, method, path, headers=headers, **kwargs)


async def read(request: Request, user: User | None, service: str, path: str, **kwargs: Any) -> Any:
    """JSON from a service, or None when it has nothing there (404) or is not reachable."""
    try:
        answer = await call(request, user, service, "GET", path, **kwargs)
    except DomainError:
        return None
    if answer.status_code != 200:
        return None
    return answer.json()


def error_list(answer: httpx.Response) -> tuple[str, list[dict[str, str]]]:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200], []
    if not isinstance(body, dict):
        return "", []
    return str(body.get("message", "")), list(body.get("errors") or [])
