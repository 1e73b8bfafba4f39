"""One request per (route, role), shaped so that authorisation decides and nothing is harmed.

Path parameters point at organisation A and A's draft, so "may this role touch A's things" is
what each request asks. Writes carry an empty body or a stale version: a role that passes the
authorisation check gets a 4xx about the content (422, 409, 404 for an absent target), never a
change to the shared data. Routes that would end the caller's own session or membership run as a
throwaway identity (services) or a fresh session (gateway).
"""

from dataclasses import dataclass, field

import httpx

from tests.security.routes import RouteKey, fill, params, state_changing
from tests.stack import ACTION, RunningPlatform


@dataclass
class Outcome:
    status: int
    location: str = ""
    body: str = ""

    @property
    def to_login(self) -> bool:
        return self.status in (302, 303) and "/login" in self.location


# Targets that a write by an allowed role must not damage.
ABSENT = "absent-0000"
SAFE_TARGETS = {
    RouteKey("POST", "/members/{member_id}/erasure"): {"member_id": ABSENT},
    RouteKey("PUT", "/members/{member_id}/coordinator"): {"member_id": ABSENT},
    RouteKey("PATCH", "/plan/nodes/{code}"): {"code": "9.9.9"},
    RouteKey("POST", "/plan/nodes/{code}/retire"): {"code": "9.9.9"},
    RouteKey("POST", "/plan/nodes/{code}/merge"): {"code": "9.9.9"},
    # The same changes through the gateway's public API: a code no plan has.
    RouteKey("PATCH", "/api/v1/plan/nodes/{code}"): {"code": "9.9.9"},
    RouteKey("POST", "/api/v1/plan/nodes/{code}/retire"): {"code": "9.9.9"},
    RouteKey("POST", "/api/v1/plan/nodes/{code}/merge"): {"code": "9.9.9"},
    RouteKey("POST", "/organisations/{organisation_id}/memberships/{member_id}/decision"): {
        "member_id": ABSENT
    },
    RouteKey("PUT", "/organisations/{organisation_id}/memberships/{member_id}/role"): {
        "member_id": ABSENT
    },
    RouteKey("POST", "/my/members/{organisation_id}/{member_id}"): {"member_id": ABSENT},
    RouteKey("DELETE", "/organisations/{organisation_id}/memberships/{member_id}"): {
        "member_id": ABSENT
    },
    RouteKey("POST", "/my/members/{organisation_id}/{member_id}/role"): {"member_id": ABSENT},
    RouteKey("POST", "/my/members/{organisation_id}/{member_id}/remove"): {"member_id": ABSENT},
    RouteKey("POST", "/my/actions/{action_id}/join/{target_id}"): {"target_id": ABSENT},
}
# Routes acting on the caller themselves: run as someone who does not exist (services) or
# in a session of its own (gateway).
SELF_DESTRUCTIVE = {RouteKey("POST", "/members/me/erasure"), RouteKey("POST", "/auth/logout")}
# Query strings without which a route refuses before it looks at the caller.
QUERIES = {
    "/actions/{action_id}/diff": {"from": "1", "to": "1"},
    "/api/v1/actions/{action_id}/diff": {"from": "1", "to": "1"},
    "/coverage/at": {"date": "2026-01-01"},
    "/api/v1/coverage/at": {"date": "2026-01-01"},
    "/api/v1/search": {"q": "kylä"},
    "/search": {"q": "kylä"},
}
STREAMS = {"/coverage/stream", "/api/v1/coverage/stream"}


@dataclass
class Caller:
    platform: RunningPlatform
    values: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.platform
        self.values = {
            "organisation_id": p.ids["A"],
            "action_id": p.ids["draft"],
            "member_id": p.people["member"].member_id,
            "version": "1",
            "number": "1",
            "code": "1.1.1",
            "step": "submit",
            "decision": "approve",
            "kind": "csv",
            "table": "coverage",
            "fmt": "csv",
            "year": "2026",
            "snapshot_id": "absent",
            "view": "pipeline",
            "name": "actions.json",
            "secret": "not-a-link",
            "token_id": ABSENT,
            "indicator": "999999",
            "news_id": ABSENT,
            "event_id": ABSENT,
            "lang": "fi",
            # Discussions: a measure's (the plan is there for everyone), absent messages.
            "ref": "1.1.1",
            "thread_id": ABSENT,
            "message_id": ABSENT,
            "report_id": ABSENT,
            "topic_id": ABSENT,
            "action": "report",
        }

    def path_for(self, key: RouteKey) -> str:
        values = {**self.values, **SAFE_TARGETS.get(key, {})}
        if key.path.startswith("/api/v1/") and "table" in params(key.path):
            values["table"] = "coverage.csv"
        if key.path.startswith("/api/v1/geography/"):
            values["kind"] = "municipalities"
        if key.path == "/static/{name}":
            values["name"] = "style.css"
        if "/discussion" in key.path:
            values["kind"] = "measure"
        return fill(key.path, values)

    def body_for(self, key: RouteKey) -> dict[str, object]:
        """A well-formed body where the route checks the caller only after reading it."""
        p = self.platform
        action = {**ACTION, "organisation_id": p.ids["A"]}
        bodies: dict[str, dict[str, object]] = {
            "/organisations/{organisation_id}/memberships/{member_id}/decision": {"approve": False},
            "/organisations/{organisation_id}/memberships/{member_id}/role": {"role": "member"},
            "/actions": action,
            "/actions/{action_id}": action,
            "/api/v1/actions": action,
            "/api/v1/actions/{action_id}": action,
            "/actions/{action_id}/partners": {"organisation_id": p.ids["B"]},
        }
        return bodies.get(key.path, {})

    def form_for(self, key: RouteKey, csrf: str) -> dict[str, str]:
        form = {"csrf": csrf, "version": "999"}
        if key.path in ("/my/actions/new", "/my/actions/{action_id}/edit"):
            form.update(
                {k: v for k, v in ACTION.items() if isinstance(v, str)},
                organisation_id=self.platform.ids["A"],
                measures="1.1.1",
                municipalities="564",
            )
        return form


def call_service(caller: Caller, service: str, key: RouteKey, role: str) -> Outcome:
    p = caller.platform
    headers = p.token(role)
    if key in SELF_DESTRUCTIVE and role != "visitor":
        headers = p.token(role, member_id=ABSENT)
    if state_changing(key):
        headers["If-Match"] = '"999"'
    with httpx.Client(base_url=p.url(service), headers=headers, timeout=30) as client:
        return _send(client, key, caller.path_for(key), json_body=caller.body_for(key))


def call_gateway(caller: Caller, key: RouteKey, role: str, session: str | None = None) -> Outcome:
    """As a browser of ``role``: its session cookie, and the CSRF token a page would carry."""
    p = caller.platform
    with httpx.Client(base_url=p.url("gateway"), timeout=30) as client:
        csrf = ""
        if role != "visitor":
            if session is None:
                own = key in SELF_DESTRUCTIVE
                session = p.fresh_session(role) if own else p.people[role].session
            client.cookies.set("htk_session", session)
            csrf = p.csrf_for(session)
        elif state_changing(key) and not key.path.startswith("/api/"):
            # A visitor's browser posts a form from a page, which gave it the pre-session cookie
            # the form's token is bound to (a form post without one is refused).
            client.get("/login")
            csrf = p.csrf_for(client.cookies.get("htk_pre") or "")
        html = not key.path.startswith("/api/")
        headers = {"X-CSRF-Token": csrf, "If-Match": '"999"'} if state_changing(key) else {}
        if html:
            headers["accept"] = "text/html"
        return _send(
            client,
            key,
            caller.path_for(key),
            json_body=None if html else caller.body_for(key),
            form=caller.form_for(key, csrf) if html else None,
            headers=headers,
        )


def _send(
    client: httpx.Client,
    key: RouteKey,
    path: str,
    *,
    json_body: dict[str, object] | None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Outcome:
    kwargs: dict[str, object] = {"headers": headers or {}, "params": QUERIES.get(key.path, {})}
    if state_changing(key):
        if json_body is not None:
            kwargs["json"] = json_body
        else:
            kwargs["data"] = form or {}
    if key.path in STREAMS:
        with client.stream(key.method, path, **kwargs) as answer:  # type: ignore[arg-type]
            return Outcome(answer.status_code, answer.headers.get("location", ""))
    answer = client.request(key.method, path, **kwargs)  # type: ignore[arg-type]
    return Outcome(answer.status_code, answer.headers.get("location", ""), answer.text)
