"""Cross-site writes, login CSRF and telling strangers who is a member, on the running platform.

Every state-changing route of the gateway, with a valid session and its CSRF token, is refused
when the browser says the request comes from another site. The attacker's own login link,
confirmed by a victim's browser from another site, signs nobody in. Registering with a
member's address and with a stranger's gives the same answer, also when the rest of the form
is refused.
"""

import uuid

import httpx
import pytest

from tests.security.calls import Caller
from tests.security.routes import routes_of, state_changing
from tests.stack import RunningPlatform, poll

pytestmark = pytest.mark.security

CROSS_SITE = (
    {"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://attacker.example"},
    {"Sec-Fetch-Site": "same-site"},
)


def test_every_write_from_another_site_is_refused(platform: RunningPlatform) -> None:
    caller = Caller(platform)
    person = platform.people["coordinator"]
    writes = [k for k in routes_of("gateway") if state_changing(k)]
    assert len(writes) >= 20, "the routes were found"
    passed = []
    for key in writes:
        path = caller.path_for(key)
        for headers in CROSS_SITE:
            with platform.browser("coordinator") as browser:
                if key.path.startswith("/api/"):
                    answer = browser.request(
                        key.method,
                        path,
                        json=caller.body_for(key),
                        headers={**headers, "X-CSRF-Token": person.csrf},
                    )
                else:
                    form = caller.form_for(key, platform.csrf_for(person.session))
                    answer = browser.request(key.method, path, data=form, headers=headers)
            if answer.status_code != 403 or "another site" not in answer.text:
                passed.append(f"{key} {headers}: {answer.status_code}")
    assert passed == [], "\n".join(passed)


def test_the_attackers_link_confirmed_from_another_site_signs_nobody_in(
    platform: RunningPlatform,
) -> None:
    attacker = platform.people["outsider"]
    with platform.browser() as own:
        mails = len(list(platform.mail_dir.glob("*.eml")))
        own.post("/api/v1/auth/login-link", json={"email": attacker.email})
        poll(lambda: len(list(platform.mail_dir.glob("*.eml"))) > mails)
    secret = platform.last_link(attacker.email)
    with httpx.Client(base_url=platform.url("gateway"), timeout=30) as victim:
        # The attacker's page posts the form; the victim's browser sends no cookie of this
        # site with a cross-site POST (SameSite=Lax), and an older one no Origin either.
        for headers in ({}, {"Origin": "https://attacker.example"}):
            answer = victim.post(f"/auth/link/{secret}", data={"csrf": ""}, headers=headers)
            assert answer.status_code == 403, (headers, answer.status_code)
            assert "htk_session" not in victim.cookies
        assert victim.get("/api/v1/me").status_code == 401


def test_registration_answers_the_same_for_members_and_strangers(
    platform: RunningPlatform,
) -> None:
    member = platform.people["member"].email
    stranger = f"stranger-{uuid.uuid4().hex[:8]}@example.org"
    forms = [
        {"organisation_id": "no-such-organisation"},
        {"organisation_id": platform.ids["A"]},
        {"new_organisation": {"name_fi": "x"}},
    ]
    for form in forms:
        answers = []
        for email in (member, stranger):
            body = {"name": "Someone", "email": email, "accept_privacy_notice": True, **form}
            with platform.browser() as browser:
                answer = browser.post("/api/v1/auth/register", json=body)
            answers.append((answer.status_code, answer.json()))
        assert answers[0] == answers[1], (form, answers)
