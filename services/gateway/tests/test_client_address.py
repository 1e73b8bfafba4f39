"""Per-address limits count the visitor, not the ingress in front of the gateway.

Behind the shipped ingress every connection comes from the ingress controller; counting its
address put every visitor into one login-link budget, so about 21 requests in 15 minutes
stopped all sign-ins. X-Forwarded-For is believed only from the proxies named in
``trusted_proxies``; a visitor who writes the header directly is counted by their connection.
"""

from pathlib import Path

import pytest

from htk_gateway.main import create_service
from htk_gateway.settings import GatewaySettings
from htk_testing.runtime import running

# httpx's in-process transport connects as 127.0.0.1: here, the ingress.
INGRESS = "127.0.0.1"


def settings(tmp_path: Path, trusted: str) -> GatewaySettings:
    return GatewaySettings(
        gateway_secret="test-gateway-secret",
        mail_dir=tmp_path / "mail",
        trusted_proxies=trusted,
        link_requests_per_ip=2,
        link_requests_per_email=100,
    )


async def ask(client, address: str, n: int) -> int:  # type: ignore[no-untyped-def]
    answer = await client.post(
        "/api/v1/auth/login-link",
        json={"email": f"person-{n}@example.org"},
        headers={"X-Forwarded-For": f"198.51.100.9, {address}"},
    )
    return answer.status_code


async def test_behind_the_ingress_a_flood_from_one_address_leaves_the_others_alone(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    service = create_service(settings(tmp_path, f"{INGRESS}/32, 10.0.0.0/8"))
    async with running(service.app()) as client:
        flood = [await ask(client, "203.0.113.5", n) for n in range(4)]
        assert flood == [202, 202, 429, 429], "one visitor's budget runs out"
        assert await ask(client, "203.0.113.77", 10) == 202, "another visitor still signs in"
        # A chain through a second trusted proxy: the client is the last untrusted hop.
        chained = await client.post(
            "/api/v1/auth/login-link",
            json={"email": "chain@example.org"},
            headers={"X-Forwarded-For": "203.0.113.5, 10.2.3.4"},
        )
        assert chained.status_code == 429, "the flooding visitor, seen through two proxies"


async def test_a_forwarded_header_from_an_untrusted_peer_changes_nothing(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    service = create_service(settings(tmp_path, "10.9.9.9"))
    async with running(service.app()) as client:
        spoofed = [await ask(client, f"203.0.113.{n}", n) for n in range(3)]
        assert spoofed == [202, 202, 429], "made-up addresses do not buy a fresh budget"


@pytest.mark.parametrize("setting", ["", "not-an-address/99"])
def test_the_setting_is_read_as_networks(setting: str) -> None:
    from htk_gateway.web.client_address import trusted_networks

    if setting:
        with pytest.raises(ValueError):
            trusted_networks(setting)
    else:
        assert trusted_networks(setting) == ()
