"""The join form's own refusals, before any service is asked: an existing organisation chosen
together with a new name is refused in the reader's language, and nothing is proposed."""

import re
from pathlib import Path

import pytest

from htk_gateway.main import create_service
from htk_gateway.pages.join import new_organisation
from htk_testing.runtime import running

HTML = {"accept": "text/html"}


@pytest.fixture
def nowhere(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No service answers: a form that reached the catalogue would fail with 503, not 422.
    for name in ("CATALOGUE", "SUBMISSIONS", "SEARCH", "REPORTING"):
        monkeypatch.setenv(f"HTK_{name}_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Valitse joko olemassa oleva organisaatio tai ehdota uutta"),
        ("sv", "Välj antingen en befintlig organisation eller föreslå en ny"),
        ("en", "Choose an existing organisation or propose a new one, not both"),
    ],
)
async def test_choosing_an_organisation_and_typing_a_new_one_is_refused(
    nowhere: None, lang: str, message: str
) -> None:
    async with running(create_service().app()) as client:
        page = await client.get(f"/join?lang={lang}", headers=HTML)
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        form = {
            "csrf": token.group(1),
            "name": "Maija Meikäläinen",
            "email": "maija@example.org",
            "organisation_id": "some-organisation",
            "new_organisation_name": "Uusi yhdistys ry",
            "accept_privacy_notice": "true",
        }
        answer = await client.post("/join", data=form, headers=HTML)
        assert answer.status_code == 422
        assert message in answer.text
        assert 'id="organisation_id" name="organisation_id" aria-describedby' in answer.text
        assert 'value="Uusi yhdistys ry"' in answer.text  # nothing typed is lost


def test_the_new_organisation_takes_every_field_and_leaves_out_empty_ones() -> None:
    form = {
        "new_organisation_name": " Kylä ry ",
        "new_organisation_name_sv": "By rf",
        "new_organisation_type": "ngo",
        "business_id": "2931675-4",
        "home": "county:15",
        "website": "kyla.example.org",
    }
    assert new_organisation(form) == {
        "name_fi": "Kylä ry",
        "name_sv": "By rf",
        "type": "ngo",
        "business_id": "2931675-4",
        "county": "15",
        "website": "https://kyla.example.org",
    }
    assert new_organisation({"new_organisation_name": "Kylä", "home": "municipality:545"}) == {
        "name_fi": "Kylä",
        "type": "other",
        "municipality": "545",
    }
