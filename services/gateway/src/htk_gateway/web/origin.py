"""State-changing requests from another site's page are refused before anything runs.

A browser says where a request comes from: ``Sec-Fetch-Site`` (modern browsers) and ``Origin``
(every POST). A form on another site that posts here (to sign the visitor into the attacker's
account with the attacker's login link, say) is refused with 403, whether or not it carries
cookies, before the CSRF token is even looked at. Requests with neither header do not come
from a browser page, carry no ambient authority of a victim, and are left to the CSRF token.
"""

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
ALLOWED_FETCH_SITES = {"same-origin", "none"}


async def json_answer(send: Send, status: int, body: bytes) -> None:
    """A JSON answer sent by a middleware before any route runs."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def cross_site(scope: Scope, public_url: str) -> bool:
    site = _header(scope, b"sec-fetch-site")
    if site is not None:
        return site not in ALLOWED_FETCH_SITES
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    if origin == "null":  # sandboxed frames, data: URLs and other opaque origins
        return True
    netloc = urlsplit(origin).netloc
    # The browser writes Host for the site it sends to; a page of this site has it as Origin.
    return netloc not in {_header(scope, b"host"), urlsplit(public_url).netloc}


class SameOriginWrites:
    def __init__(self, app: ASGIApp, public_url: str) -> None:
        self.app = app
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and cross_site(scope, self.public_url)
        ):
            body = json.dumps(
                {
                    "message": "This request came from another site and was refused",
                    "errors": [{"field": "origin", "message": "cross-site request"}],
                }
            ).encode()
            await json_answer(send, 403, body)
            return
        await self.app(scope, receive, send)
