"""Pages render in each language even when the services behind them are away, and the
language chosen is remembered."""

from pathlib import Path

import pytest

from htk_gateway.main import create_service
from htk_testing.runtime import running

HTML = {"accept": "text/html"}
PUBLIC_PAGES = ["/", "/search?q=yksin%C3%A4isyys", "/plan", "/coverage", "/open-data", "/join",
                "/login", "/privacy", "/accessibility"]  # fmt: skip


@pytest.fixture
def nowhere(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CATALOGUE", "SUBMISSIONS", "SEARCH", "REPORTING"):
        monkeypatch.setenv(f"HTK_{name}_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
async def test_public_pages_render_in_each_language_without_the_services(
    nowhere: None, lang: str
) -> None:
    async with running(create_service().app()) as client:
        for page in PUBLIC_PAGES:
            sep = "&" if "?" in page else "?"
            answer = await client.get(f"{page}{sep}lang={lang}", headers=HTML)
            assert answer.status_code == 200, (page, answer.text[:300])
            assert f'<html lang="{lang}">' in answer.text
            assert "Content-Security-Policy" in answer.headers


async def test_the_chosen_language_is_remembered(nowhere: None) -> None:
    async with running(create_service().app()) as client:
        chosen = await client.get("/?lang=sv", headers=HTML)
        assert "htk_lang=sv" in chosen.headers["set-cookie"]
        later = await client.get("/plan", headers={**HTML, "accept-language": "en"})
        assert '<html lang="sv">' in later.text and "Genomförandeplanen" in later.text
        client.cookies.clear()
        browser = await client.get("/plan", headers={**HTML, "accept-language": "en-GB,en;q=0.9"})
        assert '<html lang="en">' in browser.text


async def test_member_pages_send_visitors_to_sign_in_and_unknown_pages_are_404(
    nowhere: None,
) -> None:
    async with running(create_service().app()) as client:
        for page in ("/my/actions", "/my/actions/new", "/review", "/dashboard", "/coordinator"):
            answer = await client.get(page, headers=HTML)
            assert answer.status_code == 303 and answer.headers["location"] == "/login", page
        missing = await client.get("/actions/nope?lang=en", headers=HTML)
        assert missing.status_code == 404 and "Page not found" in missing.text
