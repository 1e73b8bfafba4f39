"""One OpenAPI document for the whole public API at ``/api/v1/openapi.json``.

The gateway's own routes (sign-in, and the forwarding routes) are the public surface; for each
forwarding route the operation is taken from the service that answers it, with its request and
response schemas. Service routes the gateway does not expose never appear.
"""

import re
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.api.upstream import Upstreams
from htk_gateway.web.deps import upstreams
from htk_gateway.web.guards import Reader
from htk_gateway.web.render import render
from htk_runtime.errors import DomainError

PREFIX = "/api/v1"
SERVICES = ("catalogue", "submissions", "search", "reporting")
CACHE_SECONDS = 60.0
_cache: dict[int, tuple[float, dict[str, Any]]] = {}

merged_openapi_router = APIRouter(include_in_schema=False)


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


async def _service_spec(upstreams: Upstreams, service: str) -> dict[str, Any] | None:
    try:
        answer = await upstreams.call(service, "GET", "/openapi.json")
    except DomainError:
        return None
    return answer.json() if answer.status_code == 200 else None


async def build(request: Request) -> dict[str, Any]:
    app = request.app
    own = app.openapi()
    paths: dict[str, Any] = {
        p: ops for p, ops in own.get("paths", {}).items() if p.startswith(PREFIX)
    }
    components = own.setdefault("components", {}).setdefault("schemas", {})
    templates = {p: _pattern(p) for p in paths}
    clients = upstreams(request)
    replaced: set[str] = set()
    for service in SERVICES:
        spec = await _service_spec(clients, service)
        if not spec:
            continue
        for path, operations in spec.get("paths", {}).items():
            public = PREFIX + path
            exposed = [t for t, rx in templates.items() if t == public or rx.match(public)]
            if not exposed:
                continue
            target = paths.setdefault(public, {})
            for method, operation in operations.items():
                if any(method in paths.get(t, {}) for t in exposed):
                    target[method] = {**operation, "tags": operation.get("tags", [service])}
            replaced.update(t for t in exposed if t != public and "{" in t)
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            components.setdefault(name, schema)
    for template in replaced:
        paths.pop(template, None)
    own["paths"] = dict(sorted(paths.items()))
    own["info"] = {
        "title": "Hyvinvointia kaikille 2030 – public API",
        "version": "1",
        "description": "Actions, search, coverage and the plan. Writes need a session "
        "(cookie and X-CSRF-Token header) or an organisation's API token "
        "(`Authorization: Bearer htk_...`, no cookie, no CSRF token), which acts as a member "
        "of that organisation; a read token only reads.",
    }
    # Every operation takes a visitor ({}), a session, or an API token.
    own["security"] = [{}, {"apiToken": []}]
    return own


@merged_openapi_router.get("/api/v1/openapi.json")
async def openapi(request: Request) -> dict[str, Any]:
    key = id(request.app)
    cached = _cache.get(key)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    spec = await build(request)
    _cache[key] = (time.monotonic(), spec)
    return spec


def operations_by_tag(spec: dict[str, Any]) -> list[tuple[str, list[dict[str, str]]]]:
    groups: dict[str, list[dict[str, str]]] = {}
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            summary = operation.get("summary") or (operation.get("description") or "")
            groups.setdefault((operation.get("tags") or ["api"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": summary.strip().split("\n\n")[0],
                }
            )
    return sorted(groups.items())


@merged_openapi_router.get("/api/v1/docs", response_class=HTMLResponse)
async def docs(request: Request, v: Reader) -> Response:
    """The API's operations as a page of this site: no script and nothing from another origin
    (a hosted Swagger UI would load its code from a CDN, outside the site's CSP)."""
    spec = await openapi(request)
    return render(v, "api_docs.html", groups=operations_by_tag(spec))
