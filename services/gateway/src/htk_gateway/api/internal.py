"""Routes for the platform's own operators are not answered to the public.

``/metrics`` is scraped by Prometheus straight from the pod; a request for it that came
through the ingress (from a trusted proxy, with X-Forwarded-For) is answered 404, as if the
route did not exist, so the ingress does not publish the gateway's internals whatever its own
configuration says.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from htk_gateway.web.client_address import trusted_networks
from htk_gateway.web.origin import json_answer

INTERNAL = ("/metrics",)


def _via_proxy(scope: Scope, trusted: str) -> bool:
    import ipaddress

    client = scope.get("client")
    networks = trusted_networks(trusted)
    if not client or not networks:
        return False
    forwarded = any(key == b"x-forwarded-for" for key, _ in scope.get("headers", []))
    try:
        peer = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    return forwarded and any(peer in network for network in networks)


class InternalRoutesHidden:
    def __init__(self, app: ASGIApp, trusted_proxies: str) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].rstrip("/") in INTERNAL
            and _via_proxy(scope, self.trusted_proxies)
        ):
            await json_answer(send, 404, b'{"message":"Not Found"}')
            return
        await self.app(scope, receive, send)
