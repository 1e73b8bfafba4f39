"""API access for an organisation's own systems, in a real Chromium through the gateway: Olli
proposes his organisation, a coordinator approves it, and Olli, its admin, makes a write token
on the organisation's token page (reached from the members page). A program uses the token with
httpx, without cookies, to create and submit an action through /api/v1; the action's history
names the token and the token page shows its last use; Olli revokes it (after a confirmation, in English) and the program's next
call gets 401. The page is checked with axe in Finnish, Swedish and English."""

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import htk, mail_count, snapshot
from tests.browser.test_journey import sign_in, until
from tests.browser.test_membership import follow_link
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "tiina.tunnukset@example.org"
OLLI = "olli.ohjelmoija@example.org"
ORG = "Rajapintakylän yhdistys ry"
TOKEN_NAME = "Asianhallinnan integraatio"
ACTION = {
    "title": "Rajapinnasta tullut kohtaamispaikka",
    "summary": "Viikoittaiset kohtaamiset syrjäkylien ikäihmisille kylätalolla.",
    "inequality_reduction": "Tavoittaa yksin asuvat ikäihmiset, joille palveluja on vähän.",
    "measures": ["1.1.1"],
    "municipalities": ["564"],
}


async def test_an_admin_makes_a_token_a_program_uses_it_and_the_admin_revokes_it(
    platform: Launched, browser: Browser
) -> None:
    url = platform.url
    htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Tiina Tunnukset")

    # Olli proposes his organisation; a coordinator approves it, and Olli becomes its admin.
    olli_context = await browser.new_context(locale="fi-FI")
    olli = await olli_context.new_page()
    await olli.goto(f"{url}/join")
    await olli.get_by_label("Nimi", exact=True).fill("Olli Ohjelmoija")
    await olli.get_by_label("Sähköpostiosoite").fill(OLLI)
    await olli.get_by_label("Uuden organisaation nimi", exact=True).fill(ORG)
    await olli.get_by_label("Uuden organisaation tyyppi").select_option("ngo")
    await olli.get_by_label("Olen lukenut tietosuojaselosteen").check()
    before = mail_count(platform)
    await olli.get_by_role("button", name="Lähetä liittymislinkki").click()
    await expect(olli.get_by_role("heading", name="Tarkista sähköpostisi")).to_be_visible()
    await follow_link(olli, platform, OLLI, before, "Kirjaudu")
    await expect(olli.get_by_role("heading", name="Tervetuloa")).to_be_visible()

    coordinator = await sign_in(await browser.new_context(locale="fi-FI"), platform, COORDINATOR)

    async def proposal_listed() -> bool:
        await coordinator.goto(f"{url}/coordinator/requests")
        return await coordinator.get_by_role("button", name=f"Hyväksy: {ORG}").count() > 0

    await until(proposal_listed)
    await coordinator.get_by_role("button", name=f"Hyväksy: {ORG}").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Organisaatio hyväksyttiin")

    # From the members page to the organisation's API tokens.
    async def admin_of_it() -> bool:
        await olli.goto(f"{url}/my/members")
        return await olli.get_by_role("link", name=f"API-tunnukset: {ORG}").count() > 0

    await until(admin_of_it)
    await olli.get_by_role("link", name=f"API-tunnukset: {ORG}").click()
    await expect(olli.get_by_role("heading", level=1)).to_have_text("API-tunnukset")
    await expect(olli.get_by_text("Organisaatiolla ei ole API-tunnuksia.")).to_be_visible()
    await snapshot(olli, "api-tokens-empty")

    # A nameless token is refused beside the field; then a write token is made.
    await olli.get_by_role("button", name="Luo tunnus").click()
    await expect(olli.get_by_role("alert")).to_contain_text("Anna tunnukselle 1–100 merkin nimi")
    await expect(olli.get_by_label("Nimi", exact=True)).to_have_attribute("aria-invalid", "true")
    await olli.get_by_label("Nimi", exact=True).fill(TOKEN_NAME)
    await olli.get_by_label("Luku ja kirjoitus", exact=False).check()
    await olli.get_by_role("button", name="Luo tunnus").click()
    await expect(olli.get_by_role("heading", name=f"Tunnus {TOKEN_NAME} luotiin")).to_be_visible()
    await expect(olli.get_by_text("se näytetään vain tämän kerran")).to_be_visible()
    secret = await olli.get_by_label("Uusi tunnus", exact=True).input_value()
    assert re.fullmatch(r"htk_[A-Za-z0-9_-]{43}", secret)
    organisation_id = await olli.locator("#organisation-id").inner_text()
    row = olli.locator("tr", has_text=TOKEN_NAME)
    await expect(row).to_contain_text(secret[:10])
    await expect(row).to_contain_text("Luku ja kirjoitus")
    await expect(row).to_contain_text("Olli Ohjelmoija")
    await expect(row).to_contain_text("Ei vielä käytetty")
    await snapshot(olli, "api-token-made")

    # The organisation's system: the token only, no cookies, no CSRF token.
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30
    ) as program:

        async def created() -> httpx.Response | None:
            # The organisation's approval may still be on its way to submissions.
            answer = await program.post(
                "/api/v1/actions", json={**ACTION, "organisation_id": organisation_id}
            )
            return answer if answer.status_code == 201 else None

        made = await until(created)
        action_id = made.json()["id"]
        submitted = await program.post(
            f"/api/v1/actions/{action_id}/submit", headers={"If-Match": made.headers["etag"]}
        )
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["status"] == "submitted"

        # The action's history names the token; the page shows when it was last used, and
        # the secret is not on it any more.
        await olli.goto(f"{url}/my/actions/{action_id}/history")
        await expect(
            olli.get_by_role("cell", name=f"API-tunnus {TOKEN_NAME}").first
        ).to_be_visible()
        await olli.go_back()
        await olli.reload()
        row = olli.locator("tr", has_text=TOKEN_NAME)
        await expect(row).not_to_contain_text("Ei vielä käytetty")
        await expect(row.locator("td").nth(5)).to_have_text(
            # Finnish time in Finnish: 5.12.2026 23.05
            re.compile(r"\d+\.\d+\.\d{4} \d\d?\.\d\d")
        )
        assert secret not in await olli.content()

        # The same page in Swedish and English.
        for lang, heading in (("sv", "API-nycklar"), ("en", "API tokens")):
            await olli.goto(f"{url}/my/organisations/{organisation_id}/api-tokens?lang={lang}")
            await expect(olli.get_by_role("heading", level=1)).to_have_text(heading)
            await snapshot(olli, f"api-tokens-{lang}")

        # Olli revokes it, in English, after being asked; the program's next call gets 401.
        await olli.get_by_role("link", name=f"Revoke: {TOKEN_NAME}").click()
        await expect(olli.get_by_role("heading", level=1)).to_have_text("Revoke an API token")
        await expect(olli.get_by_text("Systems that use it stop working at once")).to_be_visible()
        await snapshot(olli, "api-token-revoke-en")
        await olli.get_by_role("button", name="Revoke the token").click()
        await expect(olli.get_by_role("status")).to_contain_text("The token was revoked.")
        await expect(olli.locator("tr", has_text=TOKEN_NAME)).to_contain_text("Revoked")

        refused = await program.get("/api/v1/actions")
        assert refused.status_code == 401, refused.text
        assert "revoked" in refused.json()["message"]
