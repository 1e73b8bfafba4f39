"""No sign-in link secret and no email address reaches a log file or a trace: someone joins by
link, a coordinator signs in by link and approves the organisation, the new member submits an
action (after a title with a hidden bidi override is refused on the form);
then every log under var/log and every trace under var/traces is searched for every secret and
address that was mailed in this platform's life (this journey's, and the other tests' ones when
they ran first)."""

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from htk_runtime.mail import read_sink
from tests.browser.conftest import htk, link_for, mail_count, mail_dir, snapshot
from tests.browser.test_journey import sign_in, until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "loki.koordinaattori@example.org"
MEMBER = "salla.salainen@example.org"
ORGANISATION = "Lokien suojelijat ry"
TITLE = "Lokitestin kohtaamispaikka nuorille"


def mailed_secrets(platform: Launched) -> tuple[set[str], set[str]]:
    """The link secrets and the addresses in every mail the platform has sent."""
    secrets: set[str] = set()
    addresses: set[str] = set()
    for mail in read_sink(mail_dir(platform)):
        addresses.add(str(mail["To"]).lower())
        text = mail.get_content()
        secrets.update(re.findall(r"/auth/link/([A-Za-z0-9_\-]+)", text))
        secrets.update(re.findall(r"[?&](?:token|sig)=([A-Za-z0-9_\-]+)", text))
    return secrets, addresses


async def test_a_journey_leaves_no_secret_or_address_in_logs_and_traces(
    platform: Launched, browser: Browser
) -> None:
    url = platform.url
    htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Loki Koordinaattori")

    joiner = await browser.new_context(locale="fi-FI")
    page = await joiner.new_page()
    await page.goto(f"{url}/join")
    before = mail_count(platform)
    await page.get_by_label("Nimi", exact=True).fill("Salla Salainen")
    await page.get_by_label("Sähköpostiosoite").fill(MEMBER)
    await page.get_by_label("Uuden organisaation nimi").fill(ORGANISATION)
    await page.get_by_label("Uuden organisaation tyyppi").select_option("ngo")
    await page.get_by_label("Olen lukenut tietosuojaselosteen").check()
    await page.get_by_role("button", name="Lähetä liittymislinkki").click()
    await expect(page.get_by_role("heading", name="Tarkista sähköpostisi")).to_be_visible()
    await page.goto(link_for(platform, MEMBER, before))
    await page.get_by_role("button", name="Kirjaudu").last.click()
    await expect(page.get_by_role("heading", name="Tervetuloa")).to_be_visible()

    coordinator = await sign_in(await browser.new_context(locale="fi-FI"), platform, COORDINATOR)

    async def proposal_listed() -> bool:
        await coordinator.goto(f"{url}/coordinator")
        button = coordinator.get_by_role("button", name=f"Hyväksy: {ORGANISATION}")
        return await button.count() > 0

    await until(proposal_listed)
    await coordinator.get_by_role("button", name=f"Hyväksy: {ORGANISATION}").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Organisaatio hyväksyttiin")

    # The new member writes and submits an action for the approved organisation.
    async def may_write() -> bool:
        await page.goto(f"{url}/my/actions/new")
        return await page.get_by_text(ORGANISATION).count() > 0

    await until(may_write)
    # A title with a hidden right-to-left override is refused with a message of its own.
    await page.get_by_label("Otsikko", exact=True).fill("Lokitestin\u202e kohtaamispaikka")
    await page.get_by_label("Tiivistelmä", exact=True).fill(
        "Viikoittainen kohtaamispaikka nuorille, joilla on vähän harrastusmahdollisuuksia."
    )
    await page.get_by_label("Miten toimenpide vähentää eriarvoisuutta").fill(
        "Maksuton toiminta tavoittaa pienituloisten perheiden nuoret lähellä kotia."
    )
    await page.get_by_label("1.1.1", exact=False).first.check()
    await page.get_by_label("Kunnat", exact=True).select_option("564")
    await page.get_by_role("button", name="Tallenna").click()
    await expect(page.get_by_role("alert")).to_contain_text("näkymättömät merkit")
    await snapshot(page, "action-form-hidden-characters")
    await page.get_by_label("Otsikko", exact=True).fill(TITLE)

    async def saved() -> bool:
        await page.get_by_role("button", name="Tallenna").click()
        return await page.get_by_text("Toimenpide tallennettiin luonnoksena.").count() > 0

    await until(saved)
    await page.get_by_role("button", name="Lähetä tarkastettavaksi").click()
    await expect(page.locator("#status")).to_have_text("Tarkastettavana")

    secrets, addresses = mailed_secrets(platform)
    assert len(secrets) >= 2 and {COORDINATOR, MEMBER} <= addresses, (secrets, addresses)
    var = Path(platform.env["HTK_VAR_DIR"])

    async def traced() -> bool:
        # Spans are exported in batches: wait for the submission's spans to be written.
        return any(
            "/actions" in p.read_text(errors="replace") for p in (var / "traces").glob("*.jsonl*")
        )

    await until(traced, timeout=30)
    files = [p for p in [*(var / "log").rglob("*"), *(var / "traces").rglob("*")] if p.is_file()]
    assert any(p.parent.name == "log" for p in files) and any(
        p.parent.name == "traces" for p in files
    ), files
    leaks = []
    for path in files:
        text = path.read_text(errors="replace").lower()
        for needle in {*(s.lower() for s in secrets), *addresses}:
            for variant in {needle, needle.replace("@", "%40")}:
                if variant in text:
                    leaks.append((path.name, needle))
    assert leaks == [], leaks
