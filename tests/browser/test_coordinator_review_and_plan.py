"""Coordinators in a real Chromium: reviewing in place (return with a comment the member reads as
text, resubmit, publish with the difference shown, withdraw with a reason, history with names),
partly in Swedish; and the plan (import a valid and an invalid file with a dry run, add, retire
and merge in the UI, read an old version), after which search facets and coverage list the same
measures with the same counts through the gateway's public API."""

import csv
import io
import re
from typing import Any

import pytest
from playwright.async_api import APIRequestContext, Browser, BrowserContext, Page, expect

from tests.browser.conftest import htk, link_for, mail_count, snapshot
from tests.browser.test_journey import sign_in, until
from tests.e2e.platform import Launched

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COORDINATOR = "sara.samordnare@example.org"
COORDINATOR_NAME = "Sara Samordnare"
MEMBER = "niko.naapuri@example.org"
ORGANISATION = "Pohjanrannan kyläyhdistys ry"
TITLE = "Pohjanrannan kyläkahvila"


class Api:
    """The gateway's public API as a signed-in browser: the session cookie and the CSRF token."""

    def __init__(self, url: str, request: APIRequestContext, token: str) -> None:
        self.url, self.request, self.token = url, request, token

    @classmethod
    async def of(cls, url: str, context: BrowserContext) -> "Api":
        me = await context.request.get(f"{url}/api/v1/me")
        assert me.ok, await me.text()
        return cls(url, context.request, (await me.json())["csrf_token"])

    async def get(self, path: str) -> Any:
        answer = await self.request.get(f"{self.url}/api/v1{path}")
        assert answer.ok, (path, answer.status, await answer.text())
        return await answer.json()

    async def send(
        self, method: str, path: str, body: Any = None, version: int | None = None
    ) -> Any:
        headers = {"X-CSRF-Token": self.token, "Content-Type": "application/json"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        answer = await self.request.fetch(
            f"{self.url}/api/v1{path}", method=method, data=body, headers=headers
        )
        assert answer.ok, (path, answer.status, await answer.text())
        return await answer.json()


_session: dict[str, Any] = {}


async def coordinator(platform: Launched, browser: Browser) -> tuple[BrowserContext, Page]:
    """A coordinator of their own (the journeys share one platform), signed in once."""
    if "coordinator" not in _session:
        htk(platform, "admin", "create", "--email", COORDINATOR, "--name", COORDINATOR_NAME)
        context = await browser.new_context(locale="fi-FI")
        _session["coordinator"] = (context, await sign_in(context, platform, COORDINATOR))
    found: tuple[BrowserContext, Page] = _session["coordinator"]
    return found


async def member(platform: Launched, browser: Browser) -> tuple[BrowserContext, Page, str]:
    """A member who proposed their organisation, approved by the coordinator: its admin."""
    if "member" in _session:
        found: tuple[BrowserContext, Page, str] = _session["member"]
        return found
    url = platform.url
    context = await browser.new_context(locale="fi-FI")
    page = await context.new_page()
    await page.goto(f"{url}/join")
    before = mail_count(platform)
    await page.get_by_label("Nimi", exact=True).fill("Niko Naapuri")
    await page.get_by_label("Sähköpostiosoite").fill(MEMBER)
    await page.get_by_label("Uuden organisaation nimi").fill(ORGANISATION)
    await page.get_by_label("Uuden organisaation tyyppi").select_option("ngo")
    await page.get_by_label("Olen lukenut tietosuojaselosteen").check()
    await page.get_by_role("button", name="Lähetä liittymislinkki").click()
    await expect(page.get_by_role("heading", name="Tarkista sähköpostisi")).to_be_visible()
    await page.goto(link_for(platform, MEMBER, before))
    await page.get_by_role("button", name="Kirjaudu").last.click()
    await expect(page.get_by_role("heading", name="Tervetuloa")).to_be_visible()

    _, desk = await coordinator(platform, browser)
    approve = desk.get_by_role("button", name=f"Hyväksy: {ORGANISATION}")

    async def proposed() -> bool:
        await desk.goto(f"{url}/coordinator")
        return await approve.count() > 0

    await until(proposed)
    await approve.click()
    await expect(desk.get_by_role("status")).to_contain_text("Organisaatio hyväksyttiin")

    api = await Api.of(url, context)

    async def organisation_id() -> str | None:
        me = await api.get("/me")
        return next(iter(me["organisations"]), None)

    # The approval reaches the gateway's copy of the member as an event; sign in again then.
    async def approved() -> str | None:
        found = await organisation_id()
        if found:
            return found
        await sign_in(context, platform, MEMBER)
        return await organisation_id()

    org_id = await until(approved)
    _session["member"] = (context, page, org_id)
    return context, page, org_id


def action_body(org_id: str, title: str, measure: str = "1.1.1", **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "summary": "Kyläyhdistys avaa kahvilan, jossa ikäihmiset ja nuoret kohtaavat viikoittain.",
        "inequality_reduction": "Tavoittaa yksin asuvat, joilla on vähän palveluja lähellä.",
        "organisation_id": org_id,
        "measures": [measure],
        "municipalities": ["564"],
        **extra,
    }


async def test_review_in_place_return_resubmit_publish_and_withdraw(
    platform: Launched, browser: Browser
) -> None:
    url = platform.url
    member_context, page, org_id = await member(platform, browser)
    _, desk = await coordinator(platform, browser)
    api = await Api.of(url, member_context)

    async def created() -> dict[str, Any] | None:
        answer = await api.request.post(
            f"{url}/api/v1/actions",
            data=action_body(org_id, TITLE),
            headers={"X-CSRF-Token": api.token},
        )
        return await answer.json() if answer.status == 201 else None

    action = await until(created)  # the organisation's approval is on its way to submissions
    mine = f"{url}/my/actions/{action['id']}"
    await page.goto(mine)
    await page.get_by_role("button", name="Lähetä tarkastettavaksi").click()
    await expect(page.locator("#status")).to_have_text("Tarkastettavana")

    # The coordinator reviews in Swedish: the queue filtered by organisation, county and measure.
    await desk.goto(f"{url}/review?lang=sv")
    await desk.get_by_label("Organisation", exact=True).select_option(org_id)
    await desk.get_by_label("Välfärdsområde").select_option("19")
    await desk.get_by_label("Åtgärd", exact=True).select_option("1.1.1")
    await desk.get_by_role("button", name="Avgränsa", exact=True).click()
    item = desk.get_by_role("article", name=TITLE)
    await expect(item).to_be_visible()
    await expect(item).to_contain_text("Ny åtgärd")
    await snapshot(desk, "review-queue-filtered-sv")
    await desk.get_by_label(f"Orsak till returen: {TITLE}").fill(
        "Lägg till en länk till Innokylä och målgruppen."
    )
    await desk.get_by_role("button", name=f"Returnera för ändringar: {TITLE}").click()
    await expect(desk.get_by_role("status")).to_contain_text("Åtgärden returnerades")

    # The member reads the comment as text, with who wrote it and when, and resubmits.
    await page.goto(mine)
    await expect(page.locator("#status")).to_have_text("Palautettu korjattavaksi")
    await expect(page.locator("#review-comment")).to_have_text(
        "Lägg till en länk till Innokylä och målgruppen."
    )
    comment = page.locator(".review-comment")
    await expect(comment).to_contain_text(f"Kirjoittanut {COORDINATOR_NAME}")
    assert "'comment'" not in await comment.inner_text()
    await snapshot(page, "returned-comment")
    await page.get_by_role("button", name="Lähetä tarkastettavaksi").click()
    await expect(page.locator("#status")).to_have_text("Tarkastettavana")

    await desk.goto(f"{url}/review?lang=sv")
    await desk.get_by_role("button", name=f"Publicera: {TITLE}").click()
    await expect(desk.get_by_role("status")).to_contain_text("publicerades")

    # An edit of the published action is reviewed with its difference from the public version.
    await page.goto(f"{mine}/edit")
    await page.get_by_label("Tiivistelmä", exact=True).fill(
        "Kyläyhdistys avaa kahvilan kahdesti viikossa; kyyti järjestetään syrjäkyliltä."
    )
    await page.get_by_role("button", name="Tallenna").click()
    await expect(page.get_by_text("Muutokset julkaistuun versioon").first).to_be_visible()
    await expect(page.locator("#published-diff")).to_contain_text("kahdesti viikossa")
    await page.get_by_role("button", name="Lähetä tarkastettavaksi").click()
    await expect(page.locator("#status")).to_have_text("Tarkastettavana")

    await desk.goto(f"{url}/review?lang=sv")
    diff = desk.locator(f"#diff-{action['id']}")
    await expect(diff).to_contain_text("Sammanfattning")
    await expect(diff).to_contain_text("kahdesti viikossa")
    await snapshot(desk, "review-diff-sv")
    await desk.get_by_role("button", name=f"Publicera: {TITLE}").click()
    await expect(desk.get_by_role("status")).to_contain_text("publicerades")

    # The member withdraws it with a reason; the history names the people and keeps the reason.
    await page.goto(mine)
    await page.get_by_text("Poista julkisesta näkymästä").first.click()
    await page.get_by_label("Poiston syy").fill("Kahvila siirtyy seurakunnan vastuulle.")
    await snapshot(page, "withdraw-form")
    await page.get_by_role("button", name="Poista julkisesta näkymästä").click()
    await expect(page.locator("#status")).to_have_text("Poistettu julkaisusta")
    await page.goto(f"{mine}/history")
    table = page.get_by_role("table")
    await expect(table).to_contain_text(COORDINATOR_NAME)
    await expect(table).to_contain_text("Niko Naapuri")
    await expect(table).to_contain_text("Kahvila siirtyy seurakunnan vastuulle.")
    await expect(table).to_contain_text("Lägg till en länk till Innokylä")
    await snapshot(page, "history-with-names")
    await page.get_by_role("link", name=re.compile("Vertaa versiota")).last.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Versiot")
    await snapshot(page, "history-diff")


def plan_csv(tree: dict[str, Any]) -> bytes:
    """The plan in force as a plan file: importing it is a valid, complete plan."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = "code,name_fi,name_sv,name_en,description_fi,responsible,example,state,merged_into"
    writer.writerow(columns.split(","))

    def walk(node: dict[str, Any]) -> None:
        names = node["name"]
        writer.writerow(
            [
                node["code"],
                names["fi"],
                names["sv"],
                names["en"],
                node.get("description", ""),
                "; ".join(node.get("responsible", [])),
                "yes" if node.get("example") else "no",
                node.get("state", "active"),
                node.get("merged_into") or "",
            ]
        )
        for child in node.get("children", []):
            walk(child)

    for priority in tree["priorities"]:
        walk(priority)
    return out.getvalue().encode()


INVALID_PLAN = (
    "code,name_fi,name_sv,name_en,example\n"
    "1,Osallisuus,Delaktighet,Participation,no\n"
    "1.1,Alatavoite,,Sub-goal,no\n"  # line 3: name_sv empty
    "1.x,Huono,Dålig,Bad,no\n"  # line 4: not a code
    "1.2,Toinen,Andra,Second,maybe\n"  # line 5: example is not yes or no
).encode()


async def _upload(page: Page, name: str, data: bytes, dry_run: bool, reason: str = "") -> None:
    await page.get_by_label("Suunnitelman uusi versio (CSV)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    dry = page.get_by_label("Vain tarkistus, älä tallenna")
    await (dry.check() if dry_run else dry.uncheck())
    await page.locator("#import-reason").fill(reason)
    await page.get_by_role("button", name="Tuo suunnitelma").click()


async def _add(page: Page, parent: str, number: str, name: str) -> None:
    await page.get_by_label("Minkä alle").select_option(parent)
    await page.get_by_label("Numero", exact=True).fill(number)
    for lang, suffix in (("Suomi", "FI"), ("Svenska", "SV"), ("English", "EN")):
        await page.get_by_label(f"Nimi ({lang})", exact=True).fill(f"{name} {suffix}")
    await page.locator("#add-reason").fill("Neuvottelukunnan kokous 4/2026")
    await page.get_by_role("button", name="Lisää", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Uusi osa lisättiin")


async def _measure_counts(api: Api) -> tuple[dict[str, int], dict[str, int]]:
    """Measures with their counts in search's facets and in coverage, side by side."""
    search = await api.get("/search?limit=1")
    # Search lists every active measure, those without actions with 0; coverage only counted ones.
    facets = {f["value"]: f["count"] for f in search["facets"]["measure"] if f["count"]}
    coverage = await api.get("/coverage")
    rows = {
        r["code"]: int(r.get("actions", 0))
        for r in coverage["rows"]
        if r.get("level") == "measure" and int(r.get("actions", 0)) > 0
    }
    return facets, rows


async def test_plan_import_add_retire_merge_old_versions_and_search_agrees_with_coverage(
    platform: Launched, browser: Browser
) -> None:
    url = platform.url
    context, desk = await coordinator(platform, browser)
    api = await Api.of(url, context)
    _, _, org_id = await member(platform, browser)

    # An invalid file: every error by line and field, in Finnish; nothing changes.
    before = await api.get("/plan")
    await desk.goto(f"{url}/coordinator/plan?lang=fi")
    await snapshot(desk, "plan-admin")
    await _upload(desk, "virheellinen.csv", INVALID_PLAN, dry_run=True)
    errors = desk.locator("#plan-errors")
    await expect(errors).to_be_visible()
    rows = [await r.inner_text() for r in await errors.locator("tbody tr").all()]
    assert [re.split(r"\s+", r.strip())[:2] for r in rows] == [
        ["3", "name_sv"],
        ["4", "code"],
        ["5", "example"],
    ], rows
    await expect(errors).to_contain_text("Nimi puuttuu.")
    await expect(errors).to_contain_text("maybe ei ole yes eikä no.")
    await snapshot(desk, "plan-import-errors")
    assert (await api.get("/plan"))["version"] == before["version"]

    # A valid file: the dry run says what it holds, then the import makes a new version.
    valid = plan_csv(before)
    await _upload(desk, "suunnitelma.csv", valid, dry_run=True)
    await expect(desk.locator("#plan-checked")).to_contain_text("suunnitelma.csv on kunnossa")
    await snapshot(desk, "plan-import-checked")
    await _upload(desk, "suunnitelma.csv", valid, dry_run=False, reason="Vuosipäivitys 2026")
    await expect(desk.get_by_role("status")).to_contain_text("tuotiin uutena")
    imported = await api.get("/plan")
    assert imported["version"] == before["version"] + 1
    assert imported["reason"] == "Vuosipäivitys 2026"

    # Three new measures, each a version with who and why.
    await _add(desk, "1.1", "91", "Kokeilu A")
    await _add(desk, "1.1", "92", "Kokeilu B")
    await _add(desk, "1.1", "93", "Kokeilu C")
    # A rename, in Swedish: only the Swedish name changes.
    await desk.goto(f"{url}/coordinator/plan?lang=sv")
    await desk.locator("#rename-code").select_option("1.1.91")
    await desk.get_by_label("Nytt namn (Svenska)").fill("Försök A, nytt namn")
    await desk.locator("#rename-reason").fill("Bättre svenska")
    await desk.get_by_role("button", name="Byt namn").click()
    await expect(desk.get_by_role("status")).to_contain_text("Namnet ändrades")
    await snapshot(desk, "plan-renamed-sv")
    await desk.goto(f"{url}/coordinator/plan?lang=fi")
    renamed = await api.get("/plan/nodes/1.1.91")
    assert renamed["node"]["name"] == {
        "fi": "Kokeilu A FI",
        "sv": "Försök A, nytt namn",
        "en": "Kokeilu A EN",
    }
    added = await api.get(f"/plan?version={renamed['version'] - 1}")
    assert added["version"] == imported["version"] + 3
    assert added["created_by"] and added["reason"] == "Neuvottelukunnan kokous 4/2026"

    # Actions on them, published: two on A, one on B, one on C.
    coordinator_api = api
    for title, measure in (("A1", "1.1.91"), ("A2", "1.1.91"), ("B1", "1.1.92"), ("C1", "1.1.93")):

        async def created(title: str = title, measure: str = measure) -> dict[str, Any] | None:
            answer = await coordinator_api.request.post(
                f"{url}/api/v1/actions",
                data=action_body(org_id, f"Suunnitelmatesti {title}", measure),
                headers={"X-CSRF-Token": coordinator_api.token},
            )
            return await answer.json() if answer.status == 201 else None

        doc = await until(created)  # the new measure is on its way to submissions
        doc = await api.send("POST", f"/actions/{doc['id']}/submit", version=doc["version"])
        await api.send("POST", f"/actions/{doc['id']}/publish", version=doc["version"])

    async def counted() -> tuple[dict[str, int], dict[str, int]] | None:
        facets, rows = await _measure_counts(api)
        wanted = {"1.1.91": 2, "1.1.92": 1, "1.1.93": 1}
        ok = all(facets.get(k) == v and rows.get(k) == v for k, v in wanted.items())
        return (facets, rows) if ok else None

    await until(counted, timeout=120)

    # Merge B into A and retire C, in the UI with reasons; a refusal is said in Finnish.
    await desk.goto(f"{url}/coordinator/plan")
    await desk.get_by_label("Yhdistettävä osa").select_option("1.1.92")
    await desk.get_by_label("Osa, johon yhdistetään").select_option("1.1")
    await desk.locator("#merge-reason").fill("Väärä taso")
    await desk.get_by_role("button", name="Yhdistä", exact=True).click()
    await expect(desk.locator("#plan-errors")).to_contain_text(
        "1.1.92 voidaan yhdistää vain samantasoiseen osaan"
    )
    await snapshot(desk, "plan-change-refused")
    await desk.get_by_label("Yhdistettävä osa").select_option("1.1.92")
    await desk.get_by_label("Osa, johon yhdistetään").select_option("1.1.91")
    await desk.locator("#merge-reason").fill("Päällekkäiset toimenpiteet")
    await desk.get_by_role("button", name="Yhdistä", exact=True).click()
    await expect(desk.get_by_role("status")).to_contain_text("Osat yhdistettiin")
    await desk.locator("#retire-code").select_option("1.1.93")
    await desk.locator("#retire-reason").fill("Kokeilu päättyi")
    await desk.get_by_role("button", name="Poista käytöstä", exact=True).click()
    await expect(desk.get_by_role("status")).to_contain_text("Osa poistettiin käytöstä")
    changed = await api.get("/plan")
    assert changed["version"] == added["version"] + 3
    assert changed["reason"] == "Kokeilu päättyi"

    # Search and coverage list the same measures with the same counts.
    async def agree() -> tuple[dict[str, int], dict[str, int]] | None:
        facets, rows = await _measure_counts(api)
        moved = facets.get("1.1.91") == 3 and "1.1.92" not in facets and "1.1.93" not in facets
        return (facets, rows) if moved and facets == rows else None

    _, coverage = await until(agree, timeout=120)
    assert coverage.get("1.1.91") == 3 and "1.1.92" not in coverage and "1.1.93" not in coverage

    # The plan page shows where the actions of merged and retired measures went.
    await desk.goto(f"{url}/plan?lang=en")
    await expect(desk.locator("#node-1\\.1\\.92")).to_contain_text(
        "Merged: its actions now count under 1.1.91 Kokeilu A EN"
    )
    await expect(desk.locator("#node-1\\.1\\.93")).to_contain_text("Retired")
    await snapshot(desk, "plan-merged-retired-en")

    # Every past version is readable, as a page and in the API.
    await desk.goto(f"{url}/plan/versions?lang=sv")
    await expect(desk.get_by_role("table")).to_contain_text("Päällekkäiset toimenpiteet")
    await expect(desk.get_by_role("table")).to_contain_text(COORDINATOR_NAME)
    await snapshot(desk, "plan-versions-sv")
    await desk.get_by_role("link", name=f"Planens version {added['version']}", exact=True).click()
    await expect(desk.get_by_role("note")).to_contain_text(f"{added['version']}")
    await expect(desk.locator("#node-1\\.1\\.92")).not_to_contain_text("Sammanslagen")
    await snapshot(desk, "plan-old-version-sv")
    old = await api.get(f"/plan?version={added['version']}")
    assert old["version"] == added["version"] and old["current"] is False
    first = await api.get("/plan/versions/1")
    assert first["version"] == 1
    spec = await api.get("/openapi.json")
    for path in ("/api/v1/plan/nodes/{code}/merge", "/api/v1/plan/nodes/{code}/retire"):
        assert "post" in spec["paths"][path], path
    assert "patch" in spec["paths"]["/api/v1/plan/nodes/{code}"]
