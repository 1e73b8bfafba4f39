"""Organisations' API tokens on the running platform: stored as hashes and shown once, a read
token cannot write, one organisation's token cannot see or change another's drafts, a token
reaches neither coordinator routes nor any page, a session cookie and a token together are
refused, revoked, expired and unknown tokens get 401, and each token has its own rate limit.

Tokens are made as an admin makes them, with the organisation's token page; a coordinator
makes one for organisation B (whose seeded person is only a member).
"""

import hashlib
import math
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from tests.security.test_stored_xss import PAYLOAD, injected
from tests.stack import ACTION, RunningPlatform

pytestmark = pytest.mark.security


def make_token(p: RunningPlatform, maker: str, org: str, scope: str, name: str = "") -> str:
    """A new token of organisation ``org`` (A, B or C) made on its page; the shown secret."""
    name = name or f"{scope} {uuid.uuid4().hex[:6]}"
    session = p.people[maker].session
    with p.browser(maker) as browser:
        made = browser.post(
            f"/my/organisations/{p.ids[org]}/api-tokens",
            data={"csrf": p.csrf_for(session), "name": name, "scope": scope, "valid_days": "30"},
            headers={"accept": "text/html"},
            follow_redirects=True,
        )
        assert made.status_code == 200 and made.history[0].status_code == 303, made.text[:500]
        assert "htk_" not in made.history[0].headers["location"], "no secret in an address"
        found = re.search(r'id="new-token"[^>]*value="(htk_[A-Za-z0-9_-]{43})"', made.text)
        assert found, made.text[:2000]
        again = browser.get(str(made.url))
        assert found.group(1) not in again.text, "shown once: a reload does not show it"
    return found.group(1)


def api(p: RunningPlatform, secret: str) -> httpx.Client:
    """A program's client: the token, no cookies, no CSRF token."""
    return httpx.Client(
        base_url=p.url("gateway"), headers={"Authorization": f"Bearer {secret}"}, timeout=30
    )


def stored(p: RunningPlatform, secret: str) -> dict[str, Any]:
    with MongoClient(p.mongo_uri) as mongo:
        doc = mongo["htk_gateway"]["api_tokens"].find_one(
            {"hash": hashlib.sha256(secret.encode()).hexdigest()}
        )
    assert doc is not None
    return doc


@pytest.fixture(scope="module")
def tokens(platform: RunningPlatform) -> Iterator[dict[str, str]]:
    yield {
        "A-write": make_token(platform, "admin", "A", "write"),
        "A-read": make_token(platform, "admin", "A", "read"),
        "B-write": make_token(platform, "coordinator", "B", "write"),
        "C-write": make_token(platform, "coordinator", "C", "write"),
    }


def test_a_token_is_kept_only_as_a_hash_and_shown_once(
    platform: RunningPlatform, tokens: dict[str, str]
) -> None:
    secret = tokens["A-read"]
    doc = stored(platform, secret)
    assert secret not in repr(doc), "the secret itself is not stored"
    assert doc["shown"] == secret[:10] and doc["scope"] == "read"
    assert doc["organisation_id"] == platform.ids["A"]
    assert doc["created_by"] == platform.people["admin"].member_id
    with platform.browser("admin") as browser:
        page = browser.get(f"/my/organisations/{platform.ids['A']}/api-tokens")
    assert page.status_code == 200
    assert doc["shown"] in page.text and secret not in page.text, "listed, never shown again"


def test_a_write_token_does_what_a_member_does(
    platform: RunningPlatform, tokens: dict[str, str]
) -> None:
    action = {**ACTION, "organisation_id": platform.ids["A"], "title": "Rajapinnan toimenpide"}
    with api(platform, tokens["A-write"]) as client:
        made = client.post("/api/v1/actions", json=action)
        assert made.status_code == 201, made.text
        action_id, etag = made.json()["id"], made.headers["etag"]
        edited = client.put(
            f"/api/v1/actions/{action_id}",
            json={**action, "summary": ACTION["summary"] + " Muokattu."},
            headers={"If-Match": etag},
        )
        assert edited.status_code == 200, edited.text
        submitted = client.post(
            f"/api/v1/actions/{action_id}/submit", headers={"If-Match": edited.headers["etag"]}
        )
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
        listed = client.get("/api/v1/actions", params={"organisation_id": platform.ids["A"]})
        assert action_id in {a["id"] for a in listed.json()["items"]}
        assert client.get(f"/api/v1/actions/{platform.ids['draft']}").status_code == 200
        history = client.get(f"/api/v1/actions/{action_id}/history").json()["items"]
        token_id = stored(platform, tokens["A-write"])["_id"]
        assert {v["by"] for v in history} == {f"token:{token_id}"}, "the token is on record"
        # Publishing is the coordinators' step: a token is a member, never a coordinator.
        published = client.post(
            f"/api/v1/actions/{action_id}/publish", headers={"If-Match": submitted.headers["etag"]}
        )
        assert published.status_code == 403


def test_a_read_token_reads_drafts_but_cannot_write(
    platform: RunningPlatform, tokens: dict[str, str]
) -> None:
    draft = platform.ids["draft"]
    action = {**ACTION, "organisation_id": platform.ids["A"]}
    with api(platform, tokens["A-read"]) as client:
        seen = client.get(f"/api/v1/actions/{draft}")
        assert seen.status_code == 200 and seen.json()["status"] == "draft"
        assert client.get(f"/api/v1/actions/{draft}/history").status_code == 200
        refused = [
            client.post("/api/v1/actions", json=action),
            client.put(f"/api/v1/actions/{draft}", json=action, headers={"If-Match": '"1"'}),
            client.post(f"/api/v1/actions/{draft}/submit", headers={"If-Match": '"1"'}),
            client.post(f"/api/v1/actions/{draft}/withdraw", headers={"If-Match": '"1"'}),
        ]
    assert [r.status_code for r in refused] == [403] * 4
    assert "only read" in refused[0].json()["message"]
    # The services refuse a read-only user's writes too, should anything else sign one.
    with httpx.Client(
        base_url=platform.url("submissions"),
        headers=platform.token("member", read_only=True),
        timeout=30,
    ) as submissions:
        assert submissions.post("/actions", json=action).status_code == 403
        assert submissions.get(f"/actions/{draft}").status_code == 200


def test_one_organisations_token_cannot_touch_anothers_drafts(
    platform: RunningPlatform, tokens: dict[str, str]
) -> None:
    a, draft = platform.ids["A"], platform.ids["draft"]
    action = {**ACTION, "organisation_id": a}
    with api(platform, tokens["B-write"]) as client:
        assert client.get(f"/api/v1/actions/{draft}").status_code == 404, "not even its existence"
        assert client.get(f"/api/v1/actions/{draft}/history").status_code == 403
        assert client.get("/api/v1/actions", params={"organisation_id": a}).status_code == 403
        own = client.get("/api/v1/actions").json()["items"]
        assert all(item["organisation_id"] == platform.ids["B"] for item in own)
        assert client.post("/api/v1/actions", json=action).status_code == 403
        put = client.put(f"/api/v1/actions/{draft}", json=action, headers={"If-Match": '"1"'})
        assert put.status_code == 403
        step = client.post(f"/api/v1/actions/{draft}/submit", headers={"If-Match": '"1"'})
        assert step.status_code == 403
    with platform.browser("member") as member:
        assert member.get(f"/api/v1/actions/{draft}").json()["status"] == "draft", "unchanged"


def test_a_token_reaches_no_coordinator_route_and_no_page(
    platform: RunningPlatform, tokens: dict[str, str]
) -> None:
    a = platform.ids["A"]
    # Made by a coordinator for the coordinators' own organisation: still only a member.
    for secret in (tokens["A-write"], tokens["C-write"]):
        with api(platform, secret) as client:
            for path in ("/api/v1/snapshots", "/api/v1/exports", "/api/v1/coverage/pipeline"):
                assert client.get(path).status_code == 403, path
            for path in ("/api/v1/imports", "/api/v1/plan/nodes", "/api/v1/snapshots"):
                assert client.post(path, json={}).status_code == 403, path
            assert client.get("/api/v1/me").status_code == 401, "the token is no person"
            for path in (
                "/my/actions",
                "/my/members",
                "/coordinator",
                "/review",
                f"/my/organisations/{a}/api-tokens",
            ):
                page = client.get(path, headers={"accept": "text/html"})
                assert page.status_code == 303 and "/login" in page.headers["location"], path
            made = client.post(
                f"/my/organisations/{a}/api-tokens",
                data={"name": "more", "scope": "write", "valid_days": "30"},
                headers={"accept": "text/html"},
            )
            # Refused before any page runs: a form post without the pre-session cookie fails its
            # CSRF check (403); without one it would be sent to sign in.
            assert made.status_code == 403 or (
                made.status_code == 303 and "/login" in made.headers["location"]
            ), made.status_code


def test_a_session_cookie_and_a_token_together_are_refused(
    platform: RunningPlatform, tokens: dict[str, str]
) -> None:
    secret = tokens["A-write"]
    action = {**ACTION, "organisation_id": platform.ids["A"]}
    member = platform.people["member"]
    for header in (f"Bearer {secret}", "Bearer htk_forged", "Basic bWU6eW91"):
        with platform.browser("member") as browser:
            headers = {"Authorization": header, "X-CSRF-Token": member.csrf}
            read = browser.get("/api/v1/actions", headers=headers)
            write = browser.post("/api/v1/actions", json=action, headers=headers)
        assert (read.status_code, write.status_code) == (400, 400), header
        assert read.json()["errors"][0]["field"] == "Authorization"
    # A pre-session cookie (someone who opened the sign-in page) binds no authority: the
    # token's write goes through without a CSRF token.
    with api(platform, secret) as client:
        platform.set_cookie(client, "htk_pre", "pre-session")
        assert client.post("/api/v1/actions", json=action).status_code == 201
    # A malformed header alone is a 401, not a visitor's answer.
    with api(platform, "not-a-token") as client:
        refused = client.get("/api/v1/search", params={"q": "kylä"})
    assert refused.status_code == 401 and "Bearer htk_" in refused.json()["message"]
    assert refused.headers["www-authenticate"].startswith("Bearer")


def test_revoked_expired_and_unknown_tokens_get_401(platform: RunningPlatform) -> None:
    a = platform.ids["A"]
    secret = make_token(platform, "admin", "A", "read")
    token_id = stored(platform, secret)["_id"]
    with api(platform, secret) as client:
        assert client.get("/api/v1/actions").status_code == 200
    with platform.browser("admin") as browser:
        session = platform.people["admin"].session
        asked = browser.get(f"/my/organisations/{a}/api-tokens/{token_id}/revoke")
        assert asked.status_code == 200 and stored(platform, secret)["revoked_at"] is None
        revoked = browser.post(
            f"/my/organisations/{a}/api-tokens/{token_id}/revoke",
            data={"csrf": platform.csrf_for(session)},
        )
        assert revoked.status_code == 303
        # Another organisation's admin page does not find it.
        elsewhere = browser.get(
            f"/my/organisations/{platform.ids['B']}/api-tokens/{token_id}/revoke"
        )
        assert elsewhere.status_code == 403
    with api(platform, secret) as client:
        for path in ("/api/v1/actions", "/api/v1/search?q=kyl%C3%A4", "/api/v1/plan"):
            answer = client.get(path)
            assert answer.status_code == 401, path
            assert "revoked" in answer.json()["message"]

    expiring = make_token(platform, "admin", "A", "read")
    with MongoClient(platform.mongo_uri) as mongo:
        mongo["htk_gateway"]["api_tokens"].update_one(
            {"_id": stored(platform, expiring)["_id"]},
            {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
        )
    with api(platform, expiring) as client:
        answer = client.get("/api/v1/actions")
    assert answer.status_code == 401 and "expired" in answer.json()["message"]

    with api(platform, "htk_" + "x" * 43) as client:
        answer = client.get("/api/v1/actions")
    assert answer.status_code == 401 and "not valid" in answer.json()["message"]


def test_each_token_has_its_own_rate_limit_and_keeps_its_last_use(
    platform: RunningPlatform,
) -> None:
    secret = make_token(platform, "admin", "A", "read")
    other = make_token(platform, "admin", "A", "read")
    token_id = stored(platform, secret)["_id"]
    assert stored(platform, secret)["last_used_at"] is None
    with api(platform, secret) as client:
        assert client.get("/api/v1/actions").status_code == 200
    first_use = stored(platform, secret)["last_used_at"]
    assert first_use is not None
    with api(platform, secret) as client:
        assert client.get("/api/v1/actions").status_code == 200
    assert stored(platform, secret)["last_used_at"] == first_use, "written at most once a minute"

    # The token's counter for this minute and the next at its limit (120 by default).
    now = time.time()
    with MongoClient(platform.mongo_uri) as mongo:
        counters = mongo["htk_gateway"]["rate_limits"]
        for window in (math.floor(now / 60), math.floor(now / 60) + 1):
            counters.update_one(
                {"_id": f"api-token:{token_id}:60:{window}"},
                {
                    "$set": {
                        "count": 120,
                        "window_ends": (window + 1) * 60,
                        "expires_at": datetime.fromtimestamp((window + 1) * 60, UTC),
                    }
                },
                upsert=True,
            )
    with api(platform, secret) as client:
        limited = client.get("/api/v1/actions")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    with api(platform, other) as client:
        assert client.get("/api/v1/actions").status_code == 200, "another token is not limited"


def test_a_token_name_never_becomes_markup(platform: RunningPlatform) -> None:
    secret = make_token(platform, "admin", "A", "read", name=PAYLOAD)
    token_id = stored(platform, secret)["_id"]
    base = f"/my/organisations/{platform.ids['A']}/api-tokens"
    with platform.browser("admin") as browser:
        for path in (base, f"{base}/{token_id}/revoke"):
            page = browser.get(path, headers={"accept": "text/html"})
            assert page.status_code == 200 and "alert(1)" in page.text, path
            assert injected(page.text) == [], path
