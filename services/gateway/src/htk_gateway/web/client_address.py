"""The address a request came from, for per-address limits.

Behind the ingress every connection comes from the ingress controller, so its address would
put every visitor into one budget. ``X-Forwarded-For`` is read only when the connection comes
from a proxy named in the ``trusted_proxies`` setting; the client is then the right-most
address in the header that is not itself a trusted proxy (addresses further left were written
by the client and can say anything). A visitor who sends the header directly is counted by the
address of their own connection.
"""

import ipaddress
from functools import lru_cache

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """``trusted_proxies`` as networks: addresses or CIDR ranges separated by commas."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    )


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    networks = trusted_networks(request.app.state.service.settings.trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                # A trusted proxy writes the address it saw, so this is a proxy set up wrongly.
                return peer
    return peer
