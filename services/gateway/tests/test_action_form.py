"""The action form holds every field of an action: an action of any shape, shown in the edit
form and sent back as a browser would send it unchanged, comes back exactly as it was stored.

The form is the real template rendered with the action; the "browser" is a small reader of HTML
forms following the HTML rules of what a form sends (checked boxes only, selected options, a
textarea's line breaks as CRLF). The same path through the running platform is in
tests/browser/test_actions_journey.py.
"""

from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request

from htk_gateway.pages.member import completeness_view
from htk_gateway.web.forms import action_payload, error_message, form_from_content, link_rows
from htk_gateway.web.i18n import Translator
from htk_gateway.web.render import render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_submissions.domain import ActionContent, completeness
from tests.html_forms import BrowserForm

PLAN = {
    "priorities": [
        {
            "code": "1",
            "name": {"fi": "Osallisuus"},
            "children": [
                {
                    "code": "1.1",
                    "name": {"fi": "Alatavoite"},
                    "children": [
                        {"code": "1.1.1", "name": {"fi": "Yksi"}},
                        {"code": "1.1.2", "name": {"fi": "Kaksi"}},
                        {"code": "1.1.3", "name": {"fi": "Vanha"}, "state": "retired"},
                    ],
                }
            ],
        },
        {
            "code": "3",
            "name": {"fi": "Palvelut"},
            "children": [
                {"code": "3.1", "name": {"fi": "A"}, "children": [{"code": "3.1.1", "name": {}}]}
            ],
        },
    ]
}
ORGS = [{"id": f"o{i}", "name_fi": f"Org {i}"} for i in range(1, 6)]
MEMBERS = [{"_id": "m1", "name": "Maija"}, {"_id": "m3", "name": "Aino"}]

BASE: dict[str, Any] = {
    "title": "Kohtaamispaikka",
    "summary": "Viikoittainen kohtaamispaikka yksin asuville.",
    "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat.",
    "organisation_id": "o1",
    "measures": ["1.1.1"],
    "national": True,
}
SHAPES: dict[str, dict[str, Any]] = {
    "minimal": BASE,
    "everything": {
        **BASE,
        "title": 'Nuorten "Olohuone" & kahvila < 18 v',
        "summary": "Ensimmäinen rivi.\nToinen rivi: ääkköset ja åäö.",
        "description": "## Otsikko\n\n- kohta **yksi**\n- kohta [kaksi](https://example.org)\n\nLoppu.",
        "inequality_reduction": "Monirivinen\nperustelu, jossa on riittävästi tekstiä.",
        "links": [
            {"url": f"https://example.org/{i}", "title": f"Linkki {i}" if i % 2 else None}
            for i in range(7)
        ],
        "partner_organisation_ids": ["o3", "o2"],
        "contact_member_id": "m3",
        "measures": ["3.1.1", "1.1.2"],
        "national": False,
        "counties": ["11", "06"],
        "municipalities": ["564", "091"],
        "place_detail": "Kaukovainio ja Hiirosen kylä",
        "target_groups": ["young_people", "children"],
        "inequality_dimensions": ["regional", "socioeconomic"],
        "state": "completed",
        "start_date": "2025-02-01",
        "end_date": "2026-12-31",
        "language": "sv",
    },
    "twenty_links_and_counties": {
        **BASE,
        "national": False,
        "counties": ["02"],
        "links": [{"url": f"https://innokyla.fi/t/{i}", "title": f"T{i}"} for i in range(20)],
        "state": "planned",
        "start_date": "2027-01-01",
    },
    "retired_measure_kept": {**BASE, "measures": ["1.1.3", "1.1.1"], "language": "en"},
    "contact_no_longer_member": {**BASE, "contact_member_id": "m9", "end_date": "2030-01-01"},
    "municipality_only_with_partner": {
        **BASE,
        "national": False,
        "municipalities": ["091"],
        "partner_organisation_ids": ["o5"],
        "state": "discontinued",
    },
}


def edit_form_html(stored: dict[str, Any], lang: str = "fi") -> str:
    """The edit page as the gateway renders it (its own render, so whatever the page layout
    needs is there), for a request that is only a scope and an app with settings."""
    t = Translator(lang)
    user = User(member_id="m1", organisations={"o1": "admin"})
    app = SimpleNamespace(
        state=SimpleNamespace(
            service=SimpleNamespace(settings=SimpleNamespace(environment="development"))
        )
    )
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/my/actions/a1/edit",
            "query_string": f"lang={lang}".encode(),
            "headers": [],
            "app": app,
        }
    )
    v = Viewer(request, user, "Maija", lang, t, "csrf-token")
    form = form_from_content(stored)
    action = {
        "id": "a1",
        "organisation_id": stored["organisation_id"],
        "completeness": completeness(ActionContent.model_validate(stored)),
    }
    page = render(
        v,
        "action_form.html",
        form=form,
        errors={},
        message=None,
        action_id="a1",
        version=3,
        action=action,
        own_organisations=ORGS[:1],
        owner_name="Org 1",
        contacts=[{"id": "o1", "name": ORGS[0], "members": MEMBERS}],
        partner_options=ORGS,
        plan=PLAN,
        counties=[{"code": c, "name_fi": c} for c in ("02", "06", "11")],
        municipalities=[{"code": c, "name_fi": c} for c in ("091", "564")],
        target_groups=["children", "young_people", "older_people"],
        dimensions=["socioeconomic", "regional", "age"],
        states=["planned", "ongoing", "completed", "discontinued"],
        link_rows=link_rows(form),
        completeness=completeness_view(action["completeness"]),
    )
    return bytes(page.body).decode()


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_an_unchanged_save_sends_back_exactly_what_was_stored(shape: str) -> None:
    stored = ActionContent.model_validate(SHAPES[shape]).model_dump(mode="json")
    browser = BrowserForm("/my/actions/a1/edit")
    browser.feed(edit_form_html(stored))
    sent = browser.data()
    assert sent["version"] == "3" and sent["csrf"] == "csrf-token"
    payload = action_payload({**sent, "organisation_id": "o1"}, stored=stored)
    assert ActionContent.model_validate(payload).model_dump(mode="json") == stored


def test_the_form_offers_room_for_more_links_and_marks_completeness_items() -> None:
    stored = ActionContent.model_validate(SHAPES["everything"]).model_dump(mode="json")
    html = edit_form_html(stored, "sv")
    assert 'name="link_url_9"' in html and 'name="link_url_10"' not in html, "7 links + 3 rows"
    assert "100 % komplett" in html
    minimal = ActionContent.model_validate(SHAPES["minimal"]).model_dump(mode="json")
    html = edit_form_html(minimal, "en")
    assert 'href="#contact_member_id"' in html and 'href="#links"' in html
    assert 'href="#start_date"' in html and 'id="start_date"' in html
    assert 'id="contact_member_id"' in html and 'id="links"' in html


def test_a_save_keeps_the_stored_order_of_lists_and_adds_what_was_chosen() -> None:
    stored = ActionContent.model_validate(SHAPES["everything"]).model_dump(mode="json")
    browser = BrowserForm("/my/actions/a1/edit")
    browser.feed(edit_form_html(stored))
    sent = browser.data()
    sent["municipalities"] = ["091", "564"]
    sent["partner_organisation_ids"] = ["o2", "o4", "o3"]
    payload = action_payload(sent, stored=stored)
    assert payload["municipalities"] == ["564", "091"]
    assert payload["partner_organisation_ids"] == ["o3", "o2", "o4"]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_refusals_are_told_by_field_and_rule_in_the_readers_language(lang: str) -> None:
    t = Translator(lang)
    english = {"start", "must", "owner", "measure", "choose"}
    cases = [
        ("links.2.url", "Value error, a link must start with http", "link_scheme", "links"),
        ("", "Value error, partner_organisation_ids: the owner...", "partner_is_owner",
         "partner_organisation_ids"),
        ("", "Value error, where the action happens is missing", "place_missing", "place"),
        ("measures.0", "measure 2.1.1 is retired in the current plan", "inactive_measure",
         "measures"),
        ("contact_member_id", "the contact must be a member", "contact_not_member",
         "contact_member_id"),
        ("national", "write yes or no", "yes_or_no", "place"),
    ]  # fmt: skip
    seen = set()
    for field, message, code, expected in cases:
        # The English text plays no part: only the field and the error type do.
        assert message
        name, text = error_message(t, field, code)
        assert name == expected
        assert text != t("err.generic") and text not in seen, (field, code)
        seen.add(text)
        if lang != "en":
            assert not english & set(text.lower().split()), text
