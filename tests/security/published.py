"""Text written by people, carried through the whole workflow to every place it is shown.

:func:`publish_through_workflow` makes an organisation, a member, a returned-then-published
action and its review comment whose every free-text field is ``text``, through the same APIs
people use, and waits until search and reporting have it.
"""

from dataclasses import dataclass
from typing import Any

import httpx

from htk_runtime.auth import SERVICE_HEADER, sign_service
from tests.stack import RunningPlatform, poll


@dataclass
class Published:
    action_id: str
    organisation_id: str
    member_id: str
    marker: str


def _gateway_write(
    p: RunningPlatform, role: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    with p.browser(role) as browser:
        headers = {"X-CSRF-Token": p.csrf_for(p.people[role].session), **kwargs.pop("headers", {})}
        return browser.request(method, path, headers=headers, **kwargs)


def publish_through_workflow(
    p: RunningPlatform,
    text: str,
    marker: str,
    *,
    description: str | None = None,
    contact: bool = False,
    person_name: str | None = None,
    person_email: str | None = None,
) -> Published:
    """``marker`` is a plain word inside the text, to find the action in search."""
    with p.client("catalogue", "coordinator") as catalogue:
        org = catalogue.post(
            "/organisations",
            json={"name_fi": f"{text} {marker}"[:200], "name_sv": text[:200], "type": "ngo"},
        )
        assert org.status_code == 201, org.text
        organisation_id = org.json()["id"]
        # A person asking to join A: their name is shown to A's admins.
        joined = catalogue.post(
            "/registrations",
            json={
                "name": person_name or f"{text} {marker}"[:200],
                "email": person_email or f"{marker}@example.org",
                "organisation_id": p.ids["A"],
            },
            headers={SERVICE_HEADER: sign_service("gateway", "catalogue", p.keys[0])},
        )
        assert joined.status_code == 201, joined.text
        member_id = joined.json()["member"]["id"]
        if contact:
            approved = catalogue.post(
                f"/organisations/{p.ids['A']}/memberships/{member_id}/decision",
                json={"approve": True, "role": "member"},
            )
            assert approved.status_code == 200, approved.text
    content: dict[str, Any] = {
        "title": f"{marker} {text}"[:200],
        "summary": f"{marker} {text} {text}"[:1000],
        "description": description if description is not None else f"{marker} {text}",
        "inequality_reduction": f"{marker} {text} {text}",
        "place_detail": text[:200],
        "links": [{"url": "https://example.org/toiminta", "title": text[:200]}],
        "organisation_id": p.ids["A"],
        "measures": ["1.1.1"],
        "municipalities": ["564"],
    }
    if contact:
        content["contact_member_id"] = member_id

    def created() -> httpx.Response | None:
        answer = _gateway_write(p, "member", "POST", "/api/v1/actions", json=content)
        if answer.status_code == 422 and contact:
            return None  # submissions has not heard of the new member yet
        assert answer.status_code == 201, answer.text
        return answer

    action = poll(created)
    action_id = action.json()["id"]

    def step(role: str, name: str, version: int, **body: Any) -> int:
        answer = _gateway_write(
            p,
            role,
            "POST",
            f"/api/v1/actions/{action_id}/{name}",
            json=body or None,
            headers={"If-Match": f'"{version}"'},
        )
        assert answer.status_code == 200, (name, answer.text)
        return int(answer.json()["version"])

    version = step("member", "submit", int(action.json()["version"]))
    version = step("coordinator", "return", version, comment=f"{marker} {text}")
    version = step("member", "submit", version)
    step("coordinator", "publish", version)
    with p.client("search") as search, p.client("reporting") as reporting:
        poll(lambda: search.get("/search", params={"q": marker}).json().get("total", 0) >= 1)
        poll(
            lambda: any(
                a.get("action_id") == action_id or a.get("id") == action_id
                for a in reporting.get("/open-data/actions.json").json().get("actions", [])
            )
        )
    return Published(action_id, organisation_id, member_id, marker)


@dataclass
class Discussed:
    """A discussion written through the gateway's public API (see :func:`discuss`)."""

    thread_id: str
    reply_id: str
    hidden_id: str
    topic_id: str
    marker: str


def discuss(p: RunningPlatform, text: str, marker: str) -> Discussed:
    """Free text in every field of a discussion: a member's thread on measure 1.1.1 (its body
    ``text`` with Markdown links), an outsider's reply, a report and a coordinator's hiding of a
    message (both with reasons), and a coordinator's topic (title and description)."""

    def write(role: str, method: str, path: str, body: dict[str, Any], want: int) -> Any:
        answer = _gateway_write(p, role, method, f"/api/v1/discussions{path}", json=body)
        assert answer.status_code == want, (path, answer.text)
        return answer.json()

    def post(role: str, path: str, body: str) -> str:
        made = write(role, "POST", path, {"body": body, "consent": True}, 201)
        return str(made["id"])

    def first() -> str | None:
        # Until community has the plan from the catalogue, the measure is unknown there.
        answer = _gateway_write(
            p,
            "member",
            "POST",
            "/api/v1/discussions/measure/1.1.1/threads",
            json={"body": f"{marker} {text}", "consent": True},
        )
        if answer.status_code == 404:
            return None
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    thread = poll(first)
    reply = post("outsider", f"/threads/{thread}/replies", f"{marker} re {text}")
    hidden = post("member", "/measure/1.1.1/threads", f"{marker} hidden {text}")
    write("outsider", "POST", f"/messages/{hidden}/reports", {"reason": f"{marker} {text}"}, 201)
    write("coordinator", "POST", f"/messages/{hidden}/hide", {"reason": f"{marker} {text}"}, 200)
    write("outsider", "POST", f"/messages/{thread}/reports", {"reason": f"{marker} {text}"}, 201)
    topic = write(
        "coordinator",
        "POST",
        "/topics",
        {"title": f"{marker} {text}"[:200], "description": f"{marker} {text}"},
        201,
    )
    return Discussed(thread, reply, hidden, str(topic["id"]), marker)
