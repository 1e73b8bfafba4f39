"""Login links, session fixation and CSRF on the running gateway.

The gateway's own tests cover a link working once, an expired or forged link and the CSRF token
of the link, logout and API writes (services/gateway/tests/test_login.py). Here: the same rules
end to end, a session id planted before login, and the CSRF check on every state-changing
route of the gateway, enumerated from its app.
"""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pymongo import MongoClient

from tests.security.calls import Caller
from tests.security.routes import RouteKey, routes_of, state_changing
from tests.stack import RunningPlatform, poll

pytestmark = pytest.mark.security

# Forms a visitor posts before any session exists; their token is bound to the pre-session
# cookie instead, and the link's own is tested in the gateway's tests.
PRE_LOGIN = {"/login", "/join", "/auth/link/{secret}"}
# JSON APIs for people not signed in: they only mail a link to the address given, and take
# nothing but application/json, which a page on another site cannot send without CORS.
PRE_LOGIN_API = {"/api/v1/auth/login-link", "/api/v1/auth/register"}


def who(client: httpx.Client) -> str | None:
    answer = client.get("/api/v1/me")
    return answer.json()["member_id"] if answer.status_code == 200 else None


def test_a_link_works_once_and_not_after_it_expires(platform: RunningPlatform) -> None:
    person = platform.people["member"]
    with platform.browser() as first, platform.browser() as second:
        assert platform.sign_in(first, person.email).status_code == 303
        secret = platform.last_link(person.email)
        replayed = platform.follow_link(second, secret)
        assert replayed.status_code == 410, "a used link signs nobody in"
        assert "htk_session" not in second.cookies and who(second) is None
        assert who(first) == person.member_id

    with platform.browser() as browser:
        browser.post("/api/v1/auth/login-link", json={"email": person.email})
        secret = poll(lambda: (s := platform.last_link(person.email)) != "" and s)
        with MongoClient(platform.mongo_uri) as mongo:
            mongo["htk_gateway"]["login_links"].update_many(
                {"used_at": None},
                {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
            )
        expired = platform.follow_link(browser, secret)
        assert expired.status_code == 410 and who(browser) is None


def test_a_session_id_planted_before_login_is_not_kept(platform: RunningPlatform) -> None:
    victim, attacker = platform.people["member"], platform.people["outsider"]
    attackers_session = platform.fresh_session("outsider")
    for planted in ("chosen-by-the-attacker", attackers_session):
        with platform.browser() as browser:
            platform.set_cookie(browser, "htk_session", planted)
            platform.set_cookie(browser, "htk_pre", "pre-session-chosen-by-the-attacker")
            assert platform.sign_in(browser, victim.email).status_code == 303
            issued = browser.cookies["htk_session"]
            assert issued != planted
            assert who(browser) == victim.member_id
        with platform.browser() as attacker_browser:
            platform.set_cookie(attacker_browser, "htk_session", planted)
            assert who(attacker_browser) in (None, attacker.member_id), (
                "the planted id never becomes the victim's session"
            )


def html_writes() -> list[RouteKey]:
    return [
        k
        for k in routes_of("gateway")
        if state_changing(k) and not k.path.startswith("/api/") and k.path not in PRE_LOGIN
    ]


def api_writes() -> list[RouteKey]:
    return [
        k
        for k in routes_of("gateway")
        if state_changing(k) and k.path.startswith("/api/") and k.path not in PRE_LOGIN_API
    ]


def test_every_form_and_api_write_needs_the_csrf_token(platform: RunningPlatform) -> None:
    assert len(html_writes()) >= 12 and len(api_writes()) >= 5, "the routes were found"
    caller = Caller(platform)
    session = platform.people["coordinator"].session
    someone_elses = platform.csrf_for(platform.people["member"].session)
    refused = []
    for key in html_writes() + api_writes():
        path = caller.path_for(key)
        for token in (None, "", "0" * 64, someone_elses):
            with platform.browser() as browser:
                platform.set_cookie(browser, "htk_session", session)
                if key.path.startswith("/api/"):
                    headers = {} if token is None else {"X-CSRF-Token": token}
                    answer = browser.request(key.method, path, json={}, headers=headers)
                else:
                    form = caller.form_for(key, "")
                    if token is None:
                        form.pop("csrf")
                    else:
                        form["csrf"] = token
                    answer = browser.request(key.method, path, data=form)
            if answer.status_code != 403 or "csrf" not in answer.text:
                refused.append(f"{key} with token {token!r}: {answer.status_code}")
    assert refused == [], "\n".join(refused)
    with platform.browser("coordinator") as browser:
        assert who(browser) == platform.people["coordinator"].member_id, "still signed in"


def test_pre_login_forms_need_the_pre_session_token(platform: RunningPlatform) -> None:
    with platform.browser() as browser:
        page = browser.get("/login")
        assert page.status_code == 200 and "htk_pre" in browser.cookies
        forged = browser.post("/login", data={"csrf": "0" * 64, "email": "x@example.org"})
        assert forged.status_code == 403
        joined = browser.post("/join", data={"email": "x@example.org"})
        assert joined.status_code == 403


def test_pre_login_apis_take_only_json(platform: RunningPlatform) -> None:
    email = platform.people["admin"].email
    before = len(platform.link_mails())
    for path in sorted(PRE_LOGIN_API):
        with platform.browser("admin") as browser:
            simple = browser.post(
                path,
                content=f'{{"email": "{email}", "name": "X"}}',
                headers={"content-type": "text/plain"},
            )
        assert 400 <= simple.status_code < 500, (path, simple.status_code)
    assert len(platform.link_mails()) == before, "no link was mailed"
