"""Stored XSS: markup in every free-text field never becomes markup on any page.

One payload goes into an organisation's names, a person's name, every text field of an action
(title, summary, description, inequality reduction, place, link title), a Markdown link to
``javascript:`` and a reviewer's comment; the action is returned, resubmitted and published.
Then every HTML page that shows any of it is parsed: no element, attribute or URL the payload
would have made may exist, and the payload's text may appear only as text.
"""

import uuid
from html.parser import HTMLParser

import pytest

from tests.security.published import Published, discuss, publish_through_workflow
from tests.stack import RunningPlatform

pytestmark = pytest.mark.security

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)><svg/onload=alert(2)>"
DESCRIPTION = f"xssmarker [x](javascript:alert(1)) [y](JaVaScRiPt:alert(3)) {PAYLOAD}"


class Inspector(HTMLParser):
    """Collects what the payload would have made had it been taken as markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._in_script = True
            source = dict(attrs).get("src")
            if source is not None and not source.startswith("/static/"):
                self.found.append(f"script from {source}")
        if tag in ("iframe", "object", "embed") or (tag == "img" and ("src", "x") in attrs):
            self.found.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                if value.strip().lower().replace("\t", "").startswith(("javascript:", "data:")):
                    self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.found.append(f"script text {data[:80]}")


def injected(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    found = inspector.found
    for raw in ("<script>alert(1)</script>", "onerror=alert(1)>", "<svg/onload"):
        if raw in html:
            found.append(f"raw {raw}")
    return found


@pytest.fixture(scope="module")
def published(platform: RunningPlatform) -> Published:
    marker = f"xssmarker{uuid.uuid4().hex[:8]}"
    return publish_through_workflow(
        platform,
        PAYLOAD,
        marker,
        description=DESCRIPTION.replace("xssmarker", marker),
        person_name=f"{PAYLOAD} xss",
    )


def test_no_page_turns_the_payload_into_markup(
    platform: RunningPlatform, published: Published
) -> None:
    action, org = published.action_id, published.organisation_id
    pages = {
        "visitor": [
            f"/actions/{action}",
            "/",
            f"/search?q={published.marker}",
            f"/search?q={PAYLOAD}",
            f"/organisations/{org}",
            f"/organisations/{platform.ids['A']}",
            "/coverage",
            "/plan",
            "/open-data",
        ],
        "member": [
            "/my/actions",
            f"/my/actions/{action}",
            f"/my/actions/{action}/history",
            f"/my/actions/{action}/edit",
            "/welcome",
        ],
        "admin": ["/my/members"],
        "coordinator": [
            "/review",
            "/dashboard",
            "/coordinator",
            f"/actions/{action}",
            "/api/v1/reports/yearly/2026?format=html",
            "/reports/yearly/2026?lang=sv",
            "/coverage/actions?node=%2A&scope=all",
            "/dashboard/history?at=2026-01-01&period=weeks",
            "/dashboard/snapshots",
        ],
    }
    shown = 0
    problems = []
    for role, paths in pages.items():
        with platform.browser(role) as browser:
            for path in paths:
                page = browser.get(path, headers={"accept": "text/html"})
                assert page.status_code == 200, (role, path, page.status_code)
                assert page.headers["content-type"].startswith("text/html"), path
                shown += published.marker in page.text or "alert(1)" in page.text
                problems += [f"{role} {path}: {p}" for p in injected(page.text)]
    assert problems == [], "\n".join(problems)
    assert shown >= 12, "what was written reached the pages"


def test_discussion_text_never_becomes_markup(platform: RunningPlatform) -> None:
    """Every discussion field: message bodies (Markdown with javascript: links), report and
    hiding reasons, a topic's title and description; on every page that shows them."""
    marker = f"xssmarker{uuid.uuid4().hex[:8]}"
    d = discuss(platform, DESCRIPTION.replace("xssmarker", marker), marker)
    pages = {
        "visitor": ["/plan/1.1.1/discussion", "/topics", f"/topics/{d.topic_id}"],
        "member": [
            "/plan/1.1.1/discussion",
            f"/discussion/messages/{d.reply_id}/report",
            f"/discussion/messages/{d.thread_id}/edit",
        ],
        "coordinator": [
            "/coordinator/reports",
            "/plan/1.1.1/discussion",
            "/topics",
            f"/discussion/messages/{d.thread_id}/hide",
        ],
    }
    shown = 0
    problems = []
    for role, paths in pages.items():
        with platform.browser(role) as browser:
            for path in paths:
                page = browser.get(path, headers={"accept": "text/html"})
                assert page.status_code == 200, (role, path, page.status_code)
                shown += page.text.count(marker)
                problems += [f"{role} {path}: {p}" for p in injected(page.text)]
    assert problems == [], "\n".join(problems)
    assert shown >= 15, "what was written reached the pages"


def test_the_inspector_sees_an_injection() -> None:
    assert injected(f"<p>{PAYLOAD}</p>"), "the check would catch the payload unescaped"
    assert injected('<a href="javascript:alert(1)">x</a>')
    assert injected("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == []


def test_news_and_events_show_the_payload_only_as_text(
    platform: RunningPlatform, published: Published
) -> None:
    """Every free-text field of news (each language's title, summary, Markdown body), of an
    event (name, description, place, organiser, its web addresses) and of a good practice
    (what worked, what did not, for whom, the highlight's reason) on every page that shows
    them, to visitors and to those who may edit them."""
    import time

    import httpx

    marker = f"xssnews{uuid.uuid4().hex[:8]}"
    text = f"{marker} {PAYLOAD}"
    url_payload = "https://example.org/?q=\"'><svg/onload=alert(2)>"
    community = platform.url("community")
    with httpx.Client(base_url=community, timeout=30) as client:
        news = client.post(
            "/news",
            json={
                "texts": {
                    code: {"title": text, "summary": text, "body": DESCRIPTION + marker}
                    for code in ("fi", "sv")
                }
            },
            headers=platform.token("coordinator"),
        )
        assert news.status_code == 201, news.text
        event = client.post(
            "/events",
            json={
                "event_kind": "workshop",
                "title": text,
                "description": DESCRIPTION + marker,
                "language": "fi",
                "starts_at": "2030-01-15T10:00",
                "ends_at": "2030-01-15T12:00",
                "place": text,
                "online_url": url_payload,
                "organiser": text,
                "organisation_id": platform.ids["A"],
                "registration_url": url_payload,
                "materials_url": url_payload,
            },
            headers=platform.token("member"),
        )
        assert event.status_code == 201, event.text
        experience = {
            "action_id": published.action_id,
            "organisation_id": platform.ids["A"],
            "language": "fi",
            "what_worked": text,
            "what_did_not": text,
            "for_whom": text,
        }
        deadline = time.monotonic() + 60
        while True:  # until the community service has heard of the publication
            shared = client.post(
                "/practices/experiences", json=experience, headers=platform.token("member")
            )
            if shared.status_code != 404 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert shared.status_code == 201, shared.text
        highlight = client.put(
            f"/practices/highlights/{published.action_id}",
            json={"highlighted": True, "reason": text},
            headers=platform.token("coordinator"),
        )
        assert highlight.status_code == 200, highlight.text
    news_id, event_id = news.json()["news_id"], event.json()["event_id"]
    pages = {
        "visitor": [
            "/",
            "/news",
            f"/news/{news_id}",
            f"/news/{news_id}?lang=en",
            "/events",
            f"/events/{event_id}",
            "/good-practices",
            f"/actions/{published.action_id}/experiences",
        ],
        "member": [
            f"/events/{event_id}",
            f"/events/{event_id}/edit",
            f"/actions/{published.action_id}/experiences",
        ],
        "coordinator": [f"/news/{news_id}", f"/news/{news_id}/edit"],
    }
    shown = 0
    problems = []
    for role, paths in pages.items():
        with platform.browser(role) as browser:
            for path in paths:
                page = browser.get(path, headers={"accept": "text/html"})
                assert page.status_code == 200, (role, path, page.status_code)
                shown += marker in page.text
                problems += [f"{role} {path}: {p}" for p in injected(page.text)]
    assert problems == [], "\n".join(problems)
    assert shown == 13, "what was written reached every page"
