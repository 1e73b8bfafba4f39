"""Refusals as pages for people, JSON for programs: a browser asking for a page gets the
message in its language, with the same status code."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from htk_gateway.web import return_to
from htk_gateway.web.render import render
from htk_gateway.web.viewer import secure_cookies, viewer
from htk_runtime.errors import DomainError

TITLES = {
    400: "error.bad_request",
    401: "error.sign_in",
    403: "error.forbidden",
    404: "error.not_found",
    409: "error.conflict",
    410: "error.link_expired",
    412: "error.stale",
    422: "error.invalid",
    429: "error.too_many",
    503: "error.unavailable",
}


def wants_page(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/health")):
        return False
    return "text/html" in request.headers.get("accept", "")


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if not wants_page(request):
        return JSONResponse(
            {"message": exc.message, "errors": exc.errors},
            status_code=exc.status_code,
            headers=exc.headers,
        )
    if exc.status_code == 401:
        redirect = RedirectResponse("/login", status_code=303)
        return_to.remember(request, redirect, secure_cookies(request))
        return redirect
    v = await viewer(request)
    key = TITLES.get(exc.status_code, "error.generic")
    extra: dict[str, Any] = {}
    if exc.headers and "Retry-After" in exc.headers:
        extra["retry_after"] = exc.headers["Retry-After"]
    response = render(
        v,
        "error.html",
        status_code=exc.status_code,
        title=v.t(key),
        message=v.t(key + "_body"),
        **extra,
    )
    for header, value in (exc.headers or {}).items():
        response.headers[header] = value
    return response
