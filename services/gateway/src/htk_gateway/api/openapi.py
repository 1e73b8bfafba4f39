"""One OpenAPI document for the whole public API at ``/api/v1/openapi.json``.

The gateway's own ``/api/v1`` routes are the public surface, each listed under its own path
with the answers it declares (its response model and error answers, see
:mod:`htk_gateway.api.contract`). A route that forwards to a service names the service
operations behind it (``x-upstream``); their query and header parameters and request body are
taken from the service's document, since the service is where they are checked. Service
routes the gateway does not expose never appear.
"""

import copy
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.api.contract import UPSTREAM
from htk_gateway.api.upstream import Upstreams
from htk_gateway.web.deps import upstreams
from htk_gateway.web.guards import Reader
from htk_gateway.web.render import render
from htk_runtime.errors import DomainError

PREFIX = "/api/v1"
CACHE_SECONDS = 60.0
_cache: dict[int, tuple[float, dict[str, Any]]] = {}
_REF = "#/components/schemas/"

merged_openapi_router = APIRouter(include_in_schema=False)


async def _service_spec(upstreams: Upstreams, service: str) -> dict[str, Any] | None:
    try:
        answer = await upstreams.call(service, "GET", "/openapi.json")
    except DomainError:
        return None
    return answer.json() if answer.status_code == 200 else None


def _refs(fragment: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(fragment, dict):
        ref = fragment.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            found.add(ref[len(_REF) :])
        for value in fragment.values():
            found |= _refs(value)
    elif isinstance(fragment, list):
        for value in fragment:
            found |= _refs(value)
    return found


def _renamed(fragment: Any, names: dict[str, str]) -> Any:
    if isinstance(fragment, dict):
        return {
            k: (
                _REF + names.get(v[len(_REF) :], v[len(_REF) :])
                if k == "$ref" and isinstance(v, str) and v.startswith(_REF)
                else _renamed(v, names)
            )
            for k, v in fragment.items()
        }
    if isinstance(fragment, list):
        return [_renamed(v, names) for v in fragment]
    return fragment


class _Imports:
    """Service schemas copied into the document: a name another service (or the gateway) uses
    for a different schema gets the service's name as a prefix, so no $ref points at the wrong
    one."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components

    def take(self, service: str, spec: dict[str, Any], fragment: Any) -> Any:
        theirs: dict[str, Any] = spec.get("components", {}).get("schemas", {})
        wanted, todo = set(), _refs(fragment)
        while todo:
            name = todo.pop()
            if name in wanted or name not in theirs:
                continue
            wanted.add(name)
            todo |= _refs(theirs[name])
        names = {}
        for name in wanted:
            mine = self.components.get(name)
            names[name] = name if mine in (None, theirs[name]) else service.title() + name
        for name in wanted:
            self.components.setdefault(names[name], _renamed(theirs[name], names))
        return _renamed(copy.deepcopy(fragment), names)


def _operation(spec: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    found = spec.get("paths", {}).get(path, {}).get(method)
    return found if isinstance(found, dict) else None


def _merge(
    operation: dict[str, Any], upstream: dict[str, Any], specs: dict[str, Any], imports: _Imports
) -> None:
    """Fill a gateway operation with the parameters and body of the service operations behind
    it. A parameter only some of them take is optional; a parameter the gateway declares
    itself, or translates (``omit``), keeps the gateway's description."""
    service = upstream["service"]
    spec = specs.get(service)
    method = operation.pop("_method")
    theirs = (
        [op for op in (_operation(spec, p, method) for p in upstream["paths"]) if op]
        if spec
        else []
    )
    if not theirs:
        return
    own = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
    skip = set(upstream.get("omit", []))
    added: dict[tuple[str, str], dict[str, Any]] = {}
    for op in theirs:
        for param in op.get("parameters", []):
            key = (param["name"], param["in"])
            if param["in"] == "path" or key in own or param["name"] in skip or key in added:
                continue
            added[key] = imports.take(service, spec or {}, param)
    for key, param in added.items():
        if param.get("required") and not all(
            any((q["name"], q["in"]) == key for q in op.get("parameters", [])) for op in theirs
        ):
            param["required"] = False
    if added:
        operation["parameters"] = [*operation.get("parameters", []), *added.values()]
    body = next((op["requestBody"] for op in theirs if "requestBody" in op), None)
    if body is not None and "requestBody" not in operation:
        operation["requestBody"] = imports.take(service, spec or {}, body)
    if not operation.get("description"):
        described = next((op.get("description") for op in theirs if op.get("description")), None)
        if described:
            operation["description"] = described


async def build(request: Request) -> dict[str, Any]:
    app = request.app
    own = copy.deepcopy(app.openapi())
    paths: dict[str, Any] = {
        p: ops for p, ops in own.get("paths", {}).items() if p.startswith(PREFIX)
    }
    components = own.setdefault("components", {}).setdefault("schemas", {})
    clients = upstreams(request)
    wanted: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for operations in paths.values():
        for method, operation in operations.items():
            upstream = operation.pop(UPSTREAM, None)
            if upstream:
                operation["_method"] = method
                wanted.append((operation, upstream))
    specs: dict[str, Any] = {}
    for service in sorted({u["service"] for _, u in wanted}):
        specs[service] = await _service_spec(clients, service)
    imports = _Imports(components)
    for operation, upstream in wanted:
        _merge(operation, upstream, specs, imports)
        operation.pop("_method", None)
    own["paths"] = dict(sorted(paths.items()))
    own["info"] = {
        "title": "Hyvinvointia kaikille 2030 – public API",
        "version": "1",
        "description": "Actions, search, coverage, the plan and its discussions. Writes need a "
        "session (cookie and X-CSRF-Token header) or an organisation's API token "
        "(`Authorization: Bearer htk_...`, no cookie, no CSRF token), which acts as a member "
        "of that organisation; a read token only reads.\n\n"
        "Every refusal has one shape, `ErrorAnswer`: a `message` and `errors`, one per field "
        "at fault (`field`, `message`, `type`). Every list has one shape too: `items`, "
        "`next_cursor` and `limit`; send `next_cursor` back as `cursor` for the next page "
        "(`limit` is at most 200).",
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


def _schema_name(content: dict[str, Any]) -> str:
    """The name of an answer's JSON model, or its media types for a file."""
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        return ref.rsplit("/", 1)[1]
    return ", ".join(t for t in content if t != "application/json" or not schema)


def operations_by_tag(spec: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The document as the docs page shows it: per operation its parameters, its body and its
    answers (success with its model, then the error codes, all in the one error shape)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            summary = operation.get("summary") or (operation.get("description") or "")
            answers = operation.get("responses", {})
            success = [c for c in answers if c.startswith("2")]
            groups.setdefault((operation.get("tags") or ["api"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": summary.strip().split("\n\n")[0],
                    "parameters": [
                        {"name": p["name"], "in": p["in"], "required": p.get("required", False)}
                        for p in operation.get("parameters", [])
                    ],
                    "body": ", ".join(operation.get("requestBody", {}).get("content", {})),
                    "success": [(c, _schema_name(answers[c].get("content", {}))) for c in success],
                    "errors": [c for c in answers if c[0] in "45"],
                }
            )
    return sorted(groups.items())


@merged_openapi_router.get("/api/v1/docs", response_class=HTMLResponse)
async def docs(request: Request, v: Reader) -> Response:
    """The API's operations as a page of this site: no script and nothing from another origin
    (a hosted Swagger UI would load its code from a CDN, outside the site's CSP)."""
    spec = await openapi(request)
    return render(v, "api_docs.html", groups=operations_by_tag(spec))
