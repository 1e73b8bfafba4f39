"""An action's life in a real Chromium, mostly in Swedish (one partner in English): a member
drafts with every field (contact, partners, many links), is warned of a likely duplicate and
can ask to join it instead, sees the completeness score and fixes what is missing from its
checklist, saves unchanged (no new version) and submits; a coordinator publishes; a member of
another organisation asks to join as a partner from the public page and the owner's admin
approves; the reminder mail's link confirms the action ("still current") once and harmlessly
twice, and so does the button on the member's page. Each page gets an axe check.

Then every shape of action is saved unchanged through the gateway's form with plain HTTP posts
(the form read as a browser reads it) and none gets a new version.

Organisations and memberships are set up through the catalogue's API as a coordinator (joining
is another journey's subject); everything the members do goes through the gateway's pages.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from pymongo import MongoClient

from htk_cli.launcher import token_keys
from htk_runtime.auth import HEADER, SERVICE_HEADER, User, sign, sign_service
from htk_runtime.mail import read_sink
from tests.browser.conftest import htk, link_for, mail_count, mail_dir, snapshot
from tests.browser.test_journey import sign_in, until
from tests.e2e.platform import Launched
from tests.html_forms import BrowserForm

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "kalle.koordinaattori@example.org"
MEMBER = "sara.skribent@example.org"  # writes the action (member of the owner)
ADMIN = "astrid.admin@example.org"  # the owner's admin, and the action's contact
PARTNER = "paul.partner@example.org"  # admin of another organisation, asks to join
TITLE = "Språkcafé för nyanlända i Vasa"
EXISTING = "Språkcafé och läxhjälp för nyanlända familjer"


class Setup:
    """Calls to the services as a coordinator, with the platform's own token key."""

    def __init__(self, platform: Launched) -> None:
        self.platform = platform
        self.private = token_keys(Path(platform.env["HTK_VAR_DIR"]))[0]

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.platform.env[f'HTK_{service.upper()}_PORT']}"

    def call(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        user = User(member_id="journey-setup", coordinator=True)
        headers = {HEADER: sign(user, self.private, 120), **kwargs.pop("headers", {})}
        return httpx.request(
            method, self.url(service) + path, headers=headers, timeout=60, **kwargs
        )

    def organisation(self, name: str, municipality: str, county: str) -> str:
        made = self.call(
            "catalogue",
            "POST",
            "/organisations",
            json={"name_fi": name, "type": "ngo", "municipality": municipality, "county": county},
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    def member(self, name: str, email: str, language: str, organisation_id: str, role: str) -> str:
        joined = httpx.post(
            self.url("catalogue") + "/registrations",
            json={
                "name": name,
                "email": email,
                "language": language,
                "organisation_id": organisation_id,
            },
            timeout=60,
            # Joining answers the gateway only: the setup calls it as the gateway would.
            headers={SERVICE_HEADER: sign_service("gateway", "catalogue", self.private)},
        )
        assert joined.status_code == 201, joined.text
        member_id = str(joined.json()["member"]["id"])
        decided = self.call(
            "catalogue",
            "POST",
            f"/organisations/{organisation_id}/memberships/{member_id}/decision",
            json={"approve": True, "role": role},
        )
        assert decided.status_code == 200, decided.text
        return member_id

    def published(self, content: dict[str, Any]) -> str:
        """An action published through the submissions API (once its organisation is known)."""

        def created() -> httpx.Response | None:
            answer = self.call("submissions", "POST", "/actions", json=content)
            return answer if answer.status_code == 201 else None

        answer = _wait(created)
        action_id = answer.json()["id"]
        for step in ("submit", "publish"):
            answer = self.call(
                "submissions",
                "POST",
                f"/actions/{action_id}/{step}",
                headers={"If-Match": answer.headers["ETag"]},
            )
            assert answer.status_code == 200, answer.text
        return str(action_id)


def _wait(probe: Any, timeout: float = 90.0) -> Any:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("not in time")


async def signed_in(browser: Browser, platform: Launched, email: str, lang: str) -> Page:
    """Signed in (the shared helper speaks Finnish), then the pages in ``lang``."""
    context: BrowserContext = await browser.new_context(locale="fi-FI")
    # The chosen language outranks the member's own, so the helper's Finnish labels hold.
    await context.add_cookies([{"name": "htk_lang", "value": "fi", "url": platform.url}])
    page = await sign_in(context, platform, email)
    await page.goto(f"{platform.url}/my/actions?lang={lang}")
    return page


async def history_versions(page: Page, url: str, action_id: str) -> list[dict[str, Any]]:
    answer = await page.request.get(f"{url}/api/v1/actions/{action_id}/history")
    assert answer.ok, await answer.text()
    versions: list[dict[str, Any]] = (await answer.json())["items"]
    return versions


async def test_an_action_drafted_joined_and_kept_current(
    platform: Launched, browser: Browser
) -> None:
    url = platform.url
    htk(platform, "admin", "create", "--email", COORDINATOR, "--name", "Kalle Koordinaattori")
    setup = Setup(platform)
    owner = setup.organisation("Vasa språkcafé rf", "905", "17")
    asker = setup.organisation("Korsholms integrationsförening rf", "499", "17")
    partner = setup.organisation("Österbottens folkhälsa rf", "905", "17")
    setup.member("Sara Skribent", MEMBER, "sv", owner, "member")
    setup.member("Astrid Admin", ADMIN, "sv", owner, "admin")
    setup.member("Paul Partner", PARTNER, "en", asker, "admin")
    setup.published(
        {
            "title": EXISTING,
            "summary": "Ett språkcafé för nyanlända familjer i Korsholm med läxhjälp för barnen.",
            "inequality_reduction": "Når nyanlända som saknar svenska och finska kontakter.",
            "organisation_id": asker,
            "measures": ["1.1.1"],
            "municipalities": ["499"],
            "language": "sv",
        }
    )

    # A member of the owner drafts in Swedish with every field but an end date.
    page = await signed_in(browser, platform, MEMBER, "sv")

    async def may_write() -> bool:
        await page.goto(f"{url}/my/actions/new")
        contacts = await page.locator("#contact_member_id option").all_inner_texts()
        return "Astrid Admin" in contacts and await page.get_by_text("Vasa språkcafé rf").count()

    await until(may_write)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ny åtgärd")
    await page.get_by_label("Rubrik", exact=True).fill(TITLE)
    await page.locator("#summary").fill(
        "Ett språkcafé för nyanlända i Vasa.\nVarje vecka, med frivilliga samtalsledare."
    )
    await page.locator("#inequality_reduction").fill(
        "Når nyanlända som saknar nätverk och inte hittar till andra tjänster."
    )
    await page.locator("#dim-origin").check()
    await page.locator("#dim-language").check()
    await page.locator("#measure-1\\.1\\.1").check()
    await page.locator("#measure-1\\.2\\.2").check()
    await page.locator("#counties").select_option(["17"])
    await page.locator("#municipalities").select_option(["905", "499"])
    await page.locator("#place_detail").fill("Centrum och Gerby")
    await page.locator("#tg-immigrants").check()
    await page.locator("#description").fill(
        "## Så går det till\n\n- kaffe\n- samtal på **svenska**"
    )
    await page.locator("#state").select_option("ongoing")
    await page.locator("#start_date").fill("2026-01-15")
    await page.get_by_label("Kontaktperson").select_option(label="Astrid Admin")
    await page.get_by_label("Partnerorganisationer").select_option(
        label="Österbottens folkhälsa rf"
    )
    for i in range(5):
        await page.locator(f"#link_url_{i}").fill(f"https://example.org/sprakcafe/{i}")
        await page.locator(f"#link_title_{i}").fill(f"Material {i + 1}")
    await page.locator("#language").select_option("sv")
    await snapshot(page, "actions-draft-form-sv")
    await page.get_by_role("button", name="Spara").click()
    await expect(page.get_by_role("status")).to_be_visible()
    action_id = re.search(r"/my/actions/([\w-]+)", page.url).group(1)  # type: ignore[union-attr]

    # Completeness: the dates are missing; the checklist's link opens the field that fixes it.
    await expect(page.locator("#completeness-score")).to_contain_text("83 %")

    # A likely duplicate is named, with the way to ask to join it instead.
    async def warned() -> bool:
        await page.goto(f"{url}/my/actions/{action_id}")
        return await page.get_by_role("link", name=EXISTING).count() > 0

    await until(warned)
    await expect(page.get_by_role("button", name=f"Be att bli partner: {EXISTING}")).to_be_visible()
    await snapshot(page, "actions-draft-duplicate-sv")
    await page.get_by_role("button", name=f"Be att bli partner: {EXISTING}").click()
    await expect(page.get_by_role("status")).to_contain_text("Förfrågan skickades")
    await page.get_by_role("link", name="Start- och slutdatum").click()
    await expect(page).to_have_url(re.compile(r"/edit#start_date$"))
    await expect(page.locator("#link_url_7")).to_be_visible()  # 5 links and room for more
    await page.locator("#end_date").fill("2027-12-31")
    await page.get_by_role("button", name="Spara").click()
    await expect(page.locator("#completeness-score")).to_contain_text("100 %")
    await expect(page.locator("#partners")).to_contain_text("Österbottens folkhälsa rf")

    # Saving the form unchanged makes no new version.
    before = await history_versions(page, url, action_id)
    await page.goto(f"{url}/my/actions/{action_id}/edit")
    await snapshot(page, "actions-edit-form-sv")
    await page.get_by_role("button", name="Spara").click()
    await expect(page.get_by_role("status")).to_be_visible()
    assert await history_versions(page, url, action_id) == before

    await page.get_by_role("button", name="Skicka för granskning").click()
    await expect(page.locator("#status")).to_have_text(re.compile("granskning", re.I))

    # The coordinator publishes.
    coordinator = await signed_in(browser, platform, COORDINATOR, "fi")
    await coordinator.goto(f"{url}/review")
    await coordinator.get_by_role("button", name=f"Julkaise: {TITLE}").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Toimenpide julkaistiin.")

    # Another organisation's admin asks to join from the public page, in English.
    asking = await signed_in(browser, platform, PARTNER, "en")
    await asking.goto(f"{url}/actions/{action_id}")
    await expect(asking.get_by_role("heading", name="Join as a partner")).to_be_visible()
    await snapshot(asking, "actions-public-join-en")
    await asking.get_by_role("button", name="Ask to join as a partner").click()
    await expect(asking.get_by_role("status")).to_contain_text("The request was sent")

    # The owner's admin approves in their pages; the partner shows publicly at once.
    admin = await signed_in(browser, platform, ADMIN, "sv")
    await admin.goto(f"{url}/my/partners")
    name = "Korsholms integrationsförening rf"
    await expect(admin.get_by_role("row", name=re.compile(TITLE))).to_be_visible()
    await snapshot(admin, "actions-partner-requests-sv")
    await admin.get_by_role("button", name=f"Godkänn som partner: {name}").click()
    await expect(admin.get_by_role("status")).to_contain_text("Partnern godkändes")
    await asking.goto(f"{url}/actions/{action_id}")
    await expect(asking.locator("#partners")).to_contain_text(name)
    await expect(asking.locator("#partners")).to_contain_text("Österbottens folkhälsa rf")
    await expect(asking.get_by_role("heading", name="Join as a partner")).to_have_count(0)

    # The description ages; the coordinator sends the reminders now; the contact's mail (in
    # Swedish) has the one-click link, which works once and harmlessly again.
    with MongoClient(
        f"mongodb://127.0.0.1:{platform.env['HTK_MONGO_PORT']}/?directConnection=true"
    ) as mongo:
        aged = datetime.now(UTC) - timedelta(days=200)
        mongo["htk_submissions"]["actions"].update_one(
            {"_id": action_id}, {"$set": {"confirmed_at": aged}}
        )
        # Those who must hear of the request and of the decision are told by these events.
        announced = {
            (e["topic"], e["event"]["type"], e["event"]["data"].get("decision"))
            for e in mongo["htk_submissions"]["outbox"].find({"key": action_id})
        }
        assert ("submissions.partnerships.v1", "fi.htk.partnership.requested.v1", None) in (
            announced
        )
        assert (
            "submissions.partnerships.v1",
            "fi.htk.partnership.decided.v1",
            "approved",
        ) in announced
    await coordinator.goto(f"{url}/coordinator")
    await snapshot(coordinator, "actions-coordinator-reminders")
    await coordinator.get_by_role("button", name="Lähetä muistutukset nyt").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Muistutuskierros tehty")

    def reminder() -> tuple[str, str, str] | None:
        for mail in reversed(read_sink(mail_dir(platform))):
            text = mail.get_content()
            found = re.search(rf"Fortfarande aktuell: (\S+/actions/{action_id}/confirm\S+)", text)
            edit = re.search(rf"Redigera: (\S+/my/actions/{action_id}/edit)", text)
            stop = re.search(r"(\S+/reminders/stop\?\S+)", text)
            if mail["To"].lower() == ADMIN and found and edit and stop:
                return found.group(1), edit.group(1), stop.group(1)
        return None

    link, edit_link, stop_link = _wait(reminder, timeout=30)
    visitor = await (await browser.new_context(locale="sv-FI")).new_page()
    # The mail's "stop these reminders" link: opening it changes nothing; one click stops them,
    # and the same page starts them again.
    await visitor.goto(stop_link)
    await expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Påminnelser om att åtgärderna är aktuella"
    )
    await snapshot(visitor, "actions-reminders-stop-sv")
    await visitor.get_by_role("button", name="Stoppa påminnelserna till mig").click()
    await expect(visitor.get_by_role("status")).to_contain_text("Påminnelserna är stoppade")
    await visitor.get_by_role("button", name="Starta påminnelserna igen").click()
    await expect(visitor.get_by_role("status")).to_contain_text("startade igen")
    for expected in ("Beskrivningen är bekräftad som aktuell", "redan bekräftad"):
        await visitor.goto(link)
        await expect(visitor.get_by_role("heading", level=1)).to_have_text(
            "Är åtgärdens beskrivning aktuell?"
        )
        await snapshot(visitor, "actions-reminder-link-sv")
        await visitor.get_by_role("button", name="Fortfarande aktuell").click()
        await expect(visitor.get_by_role("status")).to_contain_text(expected)

    # The mail's edit link, signed out: sign in, and the edit form opens.
    await visitor.goto(edit_link)
    await expect(visitor).to_have_url(re.compile(r"/login$"))
    before_mails = mail_count(platform)
    await visitor.get_by_label("E-postadress").fill(ADMIN)
    await visitor.get_by_role("button", name="Skicka inloggningslänken").click()
    await visitor.goto(link_for(platform, ADMIN, before_mails))
    await visitor.get_by_role("button", name="Logga in").last.click()
    await expect(visitor).to_have_url(edit_link)
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("Redigera åtgärden")

    # The member's own "still current" button.
    await page.goto(f"{url}/my/actions/{action_id}")
    await page.get_by_role("button", name="Fortfarande aktuell").click()
    await expect(page.get_by_role("status")).to_contain_text("bekräftades som aktuell")
    steps = [v["step"] for v in await history_versions(page, url, action_id)]
    assert steps.count("confirm") == 2 and "partner-approved" in steps, steps
    await snapshot(page, "actions-my-action-sv")

    # Every shape of action, saved unchanged through the form over HTTP: no new version.
    shapes = [
        {"measures": ["1.1.1"], "national": True},
        {
            "measures": ["3.1.1", "1.1.2"],
            "counties": ["17", "02"],
            "municipalities": ["905", "091"],
            "partner_organisation_ids": [partner, asker],
            "contact_member_id": None,
            "links": [{"url": f"https://example.org/{i}"} for i in range(20)],
            "description": "Rad ett\n\nrad *två* & <tre>",
            "place_detail": "Gerby",
            "target_groups": ["children", "immigrants"],
            "inequality_dimensions": ["origin", "age"],
            "state": "planned",
            "start_date": "2027-01-01",
            "end_date": "2028-06-30",
            "language": "en",
        },
        {"measures": ["2.1.1"], "municipalities": ["499"], "state": "completed"},
    ]
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=60) as http:
        for shape in shapes:
            content = {
                "title": "Form test",
                "summary": "En form som sparas oförändrad.",
                "inequality_reduction": "Ingen skillnad får uppstå i historiken.",
                "organisation_id": owner,
                "contact_member_id": None,
                **shape,
            }
            made = setup.call("submissions", "POST", "/actions", json=content)
            assert made.status_code == 201, made.text
            shape_id = made.json()["id"]
            form_page = await http.get(f"/my/actions/{shape_id}/edit")
            assert form_page.status_code == 200
            form = BrowserForm(f"/my/actions/{shape_id}/edit")
            form.feed(form_page.text)
            saved = await http.post(f"/my/actions/{shape_id}/edit", data=form.data())
            assert saved.status_code == 303, saved.text[:2000]
            history = (await http.get(f"/api/v1/actions/{shape_id}/history")).json()
            assert [v["step"] for v in history["items"]] == ["create"], shape
