"""What the public sees: no operator metrics through the ingress, and an API docs page that
loads nothing from another origin."""

import re
from pathlib import Path

from htk_gateway.main import create_service
from htk_gateway.settings import GatewaySettings
from htk_testing.runtime import running


def settings(tmp_path: Path) -> GatewaySettings:
    # httpx's in-process transport connects as 127.0.0.1: here, the ingress.
    return GatewaySettings(
        gateway_secret="test-gateway-secret", mail_dir=tmp_path, trusted_proxies="127.0.0.1"
    )


async def test_metrics_are_not_served_through_the_ingress(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    async with running(create_service(settings(tmp_path)).app()) as client:
        public = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
        assert public.status_code == 404 and "htk_" not in public.text
        scraped = await client.get("/metrics")  # Prometheus, straight to the pod
        assert scraped.status_code == 200 and "http_request" in scraped.text


async def test_the_api_docs_page_loads_nothing_from_another_origin(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    async with running(create_service(settings(tmp_path)).app()) as client:
        for lang, title in (("fi", "Rajapinnan kuvaus"), ("sv", "Beskrivning"), ("en", "API")):
            page = await client.get("/api/v1/docs", headers={"Accept-Language": lang})
            assert page.status_code == 200 and title in page.text
            csp = page.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "default-src 'self'" in csp
            sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            assert sources and all(s.startswith(("/", "#", "?")) for s in sources), [
                s for s in sources if not s.startswith(("/", "#", "?"))
            ]
            assert "/api/v1/search" in page.text and "/api/v1/openapi.json" in page.text
