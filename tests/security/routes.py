"""Every route of every app, read from the FastAPI apps themselves, and requests that reach them.

A route added to a service shows up here at once; the authorisation table then lacks a row for
it and the matrix test fails until someone states who may call it.
"""

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi.routing import iter_route_contexts
from starlette.routing import Route

# FastAPI's own documentation pages: the same for everyone, no data behind them.
DOCS = {"/docs", "/docs/oauth2-redirect", "/redoc"}


@dataclass(frozen=True, order=True)
class RouteKey:
    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def routes_of(service: str) -> list[RouteKey]:
    """(method, path template) of every route the service's app answers, HEAD aside."""
    app = importlib.import_module(f"htk_{service}.main").app
    found: set[RouteKey] = set()
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, Route) or route.path in DOCS:
            continue
        found.update(RouteKey(m, route.path) for m in route.methods or () if m != "HEAD")
    return sorted(found)


def state_changing(key: RouteKey) -> bool:
    return key.method in ("POST", "PUT", "PATCH", "DELETE")


_PARAM = re.compile(r"{(\w+)}")


def fill(path: str, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: values[m.group(1)], path)


def params(path: str) -> Iterator[str]:
    return (m.group(1) for m in _PARAM.finditer(path))
