"""The public API document tells the truth, on the running platform.

Every route the gateway serves under ``/api/v1`` declares its answer (a response model, or the
file types it sends) and its error answers in the one error shape; every such route is in
``/api/v1/openapi.json`` and nothing else is; and every operation of the document, called as a
client reading the document would call it, works: no 404 for a route, no 405, no 422 for a
valid call, no 5xx, and each JSON answer fits the model the route declares.

The calls change nothing shared: they act on an action the test makes for itself (taken through
the whole workflow, so every step is called for real), plan changes name a code no plan has
(9.9.9), and file imports are dry runs. The community's calls act on a topic, messages, news and
events the test makes for itself; its news are withdrawn, its events cancelled and its highlight
taken away at the end, so no other test's lists change. The few refusals a valid call must get are listed in
``REFUSALS`` with the field they name, so a refusal for any other reason still fails.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter

from htk_gateway.main import app
from htk_runtime.errors import ErrorAnswer
from tests.stack import ACTION, REPO, RunningPlatform, poll

pytestmark = pytest.mark.security

PREFIX = "/api/v1"
# The document itself and its page: the API's description, not operations of it.
META = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/gateway-openapi.json"}
METHODS = ("get", "post", "put", "patch", "delete")
ABSENT_CODE = "9.9.9"


def public_routes() -> dict[tuple[str, str], APIRoute]:
    routes: dict[tuple[str, str], APIRoute] = {}
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute) and route.path.startswith(PREFIX):
            if route.path in META:
                continue
            for method in (route.methods or set()) - {"HEAD"}:
                routes[(method, route.path)] = route
    return routes


def test_every_public_route_declares_its_answers() -> None:
    missing = []
    for (method, path), route in sorted(public_routes().items()):
        declared = route.responses
        success = {c for c in declared if str(c).startswith("2")}
        files = any(declared[c].get("content") for c in success)
        # A 204 promises no body, which is its whole answer.
        if route.response_model is None and not files and route.status_code != 204:
            missing.append(f"{method} {path}: no response model and no file type")
        errors = {int(c) for c in declared if str(c)[0] in "45"}
        if 422 not in errors:
            missing.append(f"{method} {path}: no error answers")
        for code in errors:
            if declared[code].get("model") is not ErrorAnswer:
                missing.append(f"{method} {path}: {code} is not in the one error shape")
        if not route.include_in_schema:
            missing.append(f"{method} {path}: left out of the document")
    assert missing == []


@pytest.fixture(scope="module")
def document(platform: RunningPlatform) -> dict[str, Any]:
    with httpx.Client(base_url=platform.url("gateway"), timeout=60) as client:
        answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200, answer.text
    spec: dict[str, Any] = answer.json()
    return spec


def operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in METHODS
    }


def test_the_document_lists_every_public_route(document: dict[str, Any]) -> None:
    served = set(public_routes())
    listed = operations(document)
    assert served - listed == set(), "served but not in the document"
    assert listed - served == set(), "in the document but not served"
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            in_path = set(path.replace("}", "{").split("{")[1::2])
            assert declared == in_path, f"{method} {path}: path parameters {declared}"
            assert "x-upstream" not in op and "422" in op["responses"], (method, path)
            for code, answer in op["responses"].items():
                # A JSON answer names its model; an empty schema would promise nothing.
                json_schema = answer.get("content", {}).get("application/json", {}).get("schema")
                assert json_schema != {}, f"{method} {path} {code}: untyped JSON answer"
    # Every list (an answer in the one envelope) is paged by limit and cursor.
    schemas = document["components"]["schemas"]
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            answer = op["responses"].get("200", {}).get("content", {}).get("application/json")
            ref = (answer or {}).get("schema", {}).get("$ref", "")
            fields = set(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            if {"items", "next_cursor", "limit"} <= fields:
                query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
                assert {"limit", "cursor"} <= query, f"{method} {path}: a list without paging"
    # Every workflow step is listed, with the steps it takes.
    step = document["paths"]["/api/v1/actions/{action_id}/{step}"]["post"]
    schema = next(p for p in step["parameters"] if p["name"] == "step")["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert {"submit", "publish", "return", "withdraw"} <= set(schema["enum"])


# -- calling every operation ------------------------------------------------------------------


@dataclass
class Call:
    role: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    files: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Walk:
    p: RunningPlatform
    action_id: str = ""
    # The community's own things: its topic, messages, report, news and events, by name.
    own: dict[str, str] = field(default_factory=dict)
    answers: list[tuple[str, str, httpx.Response]] = field(default_factory=list)

    def send(self, method: str, template: str, call: Call) -> httpx.Response:
        with self.p.browser(call.role) as client:
            headers = dict(call.headers)
            if method != "GET" and call.role != "visitor":
                headers["X-CSRF-Token"] = self.p.csrf_for(self.p.people[call.role].session)
            kwargs: dict[str, Any] = {"params": call.params, "headers": headers}
            if call.json is not None:
                kwargs["json"] = call.json
            if call.content is not None:
                kwargs["content"] = call.content
            if call.files is not None:
                kwargs["files"] = call.files
            if template.endswith("/stream"):
                with client.stream(method, call.path, **kwargs) as streamed:
                    answer = httpx.Response(
                        streamed.status_code, headers=streamed.headers, content=b""
                    )
            else:
                answer = client.request(method, call.path, **kwargs)
        self.answers.append((method, template, answer))
        return answer

    def version(self) -> str:
        with self.p.browser("member") as client:
            return str(client.get(f"/api/v1/actions/{self.action_id}").json()["version"])

    def step(self, role: str, name: str, **body: Any) -> httpx.Response:
        call = Call(
            role,
            f"/api/v1/actions/{self.action_id}/{name}",
            json=body or None,
            headers={"If-Match": f'"{self.version()}"'},
        )
        answer = self.send("POST", "/api/v1/actions/{action_id}/{step}", call)
        assert answer.status_code == 200, (name, answer.text)
        return answer


def _new_action(walk: Walk) -> None:
    action = {**ACTION, "organisation_id": walk.p.ids["A"], "title": "Julkisen rajapinnan koe"}
    made = walk.send("POST", "/api/v1/actions", Call("member", "/api/v1/actions", json=action))
    assert made.status_code == 201, made.text
    walk.action_id = made.json()["id"]


def _workflow(walk: Walk) -> None:
    """Every step through the public API: submit, return, submit again, publish, confirm."""
    walk.step("member", "submit")
    walk.step("coordinator", "return", comment="Lisää kohderyhmä")
    walk.step("member", "submit")
    walk.step("coordinator", "publish")
    walk.step("member", "confirm")
    with walk.p.browser() as visitor:
        poll(lambda: visitor.get(f"/api/v1/actions/{walk.action_id}/similar").status_code == 200)


# -- the community's own things -----------------------------------------------------------------

FAR = "2031-05-20T10:00:00+03:00"


def _event(walk: Walk, title: str) -> dict[str, Any]:
    # Years ahead: it never comes first in another test's list of upcoming events.
    return {
        "event_kind": "webinar",
        "title": title,
        "language": "fi",
        "starts_at": FAR,
        "ends_at": FAR.replace("T10", "T12"),
        "online_url": "https://example.org/rajapintakoe",
        "organiser": "Rajapinnan koe",
        "organisation_id": walk.p.ids["A"],
        "organisation_types": ["municipality"],
        "sub_goals": ["1.1"],
    }


def _news(title: str) -> dict[str, Any]:
    return {
        "texts": {
            lang: {"title": f"{title} ({lang})", "summary": "Koe", "body": "Koe *rajapinnasta*"}
            for lang in ("fi", "sv", "en")
        }
    }


def _made(walk: Walk, role: str, template: str, path: str, body: Any) -> dict[str, Any]:
    answer = walk.send("POST", template, Call(role, path, json=body))
    assert answer.status_code == 201, (template, answer.text)
    made: dict[str, Any] = answer.json()
    return made


def _community(walk: Walk) -> None:
    """A topic with three threads (one each to edit, delete and hide) and a report of the
    first, two news and two events (one to withdraw or cancel, one to edit), and the walk's
    action highlighted: the operations that change them then act on these only."""
    own = walk.own
    topic = _made(
        walk,
        "coordinator",
        "/api/v1/discussions/topics",
        "/api/v1/discussions/topics",
        {"title": "Julkisen rajapinnan koe", "description": "Koe", "members_only": False},
    )
    own["topic"] = topic["id"]
    threads = f"/api/v1/discussions/topic/{own['topic']}/threads"
    for name, role in (("message", "member"), ("deleted", "admin"), ("hidden", "coordinator")):
        posted = _made(
            walk,
            role,
            "/api/v1/discussions/{kind}/{ref}/threads",
            threads,
            {"body": f"Rajapinnan koe: {name}", "consent": True},
        )
        own[name] = posted["id"]
    own["thread"] = own["message"]
    report = _made(
        walk,
        "admin",
        "/api/v1/discussions/messages/{message_id}/reports",
        f"/api/v1/discussions/messages/{own['message']}/reports",
        {"reason": "Rajapinnan koe"},
    )
    own["report"] = report["id"]
    for name in ("news", "withdrawn"):
        own[name] = _made(walk, "coordinator", "/api/v1/news", "/api/v1/news", _news(name))[
            "news_id"
        ]
    for name in ("event", "cancelled"):
        own[name] = _made(walk, "member", "/api/v1/events", "/api/v1/events", _event(walk, name))[
            "event_id"
        ]
    # The community hears of the published action through its events.
    with walk.p.browser() as visitor:
        subject = f"/api/v1/discussions/action/{walk.action_id}"
        poll(lambda: visitor.get(subject).status_code == 200)
    highlighted = walk.send(
        "PUT",
        "/api/v1/practices/highlights/{action_id}",
        Call(
            "coordinator",
            f"/api/v1/practices/highlights/{walk.action_id}",
            json={"highlighted": True, "reason": "Rajapinnan koe"},
        ),
    )
    assert highlighted.status_code == 200, highlighted.text


def _community_cleared(walk: Walk) -> None:
    """The walk's news withdrawn, its event cancelled and its highlight taken away."""
    own = walk.own
    for method, template, call in (
        (
            "POST",
            "/api/v1/news/{news_id}/withdraw",
            Call("coordinator", f"/api/v1/news/{own['news']}/withdraw"),
        ),
        (
            "POST",
            "/api/v1/events/{event_id}/cancel",
            Call("member", f"/api/v1/events/{own['event']}/cancel"),
        ),
        (
            "PUT",
            "/api/v1/practices/highlights/{action_id}",
            Call(
                "coordinator",
                f"/api/v1/practices/highlights/{walk.action_id}",
                json={"highlighted": False},
            ),
        ),
    ):
        answer = walk.send(method, template, call)
        assert answer.status_code == 200, (template, answer.text)


def _plan_csv() -> bytes:
    return (REPO / "data" / "plan" / "example-plan.csv").read_bytes()


def _import_csv(walk: Walk) -> bytes:
    with walk.p.browser("coordinator") as client:
        return client.get("/api/v1/imports/template.csv").content


# (method, path): the call a client makes. A builder returns the path's values filled in.
Builder = Callable[[Walk], Call]


def _calls(walk: Walk) -> dict[tuple[str, str], Builder]:
    p, aid = walk.p, walk.action_id
    a, b = p.ids["A"], p.ids["B"]
    own = f"/api/v1/actions/{aid}"
    mine = walk.own
    topic = f"/api/v1/discussions/topic/{mine.get('topic')}"
    message = f"/api/v1/discussions/messages/{mine.get('message')}"
    thread = f"/api/v1/discussions/threads/{mine.get('thread')}"
    news, event = f"/api/v1/news/{mine.get('news')}", f"/api/v1/events/{mine.get('event')}"
    return {
        ("GET", "/api/v1/actions"): lambda w: Call("member", "/api/v1/actions", {"limit": "5"}),
        ("GET", "/api/v1/actions/{action_id}"): lambda w: Call("member", own),
        ("PUT", "/api/v1/actions/{action_id}"): lambda w: Call(
            "member",
            own,
            json={**ACTION, "organisation_id": a, "title": "Julkisen rajapinnan koe"},
            headers={"If-Match": f'"{w.version()}"'},
        ),
        ("GET", "/api/v1/actions/{action_id}/diff"): lambda w: Call(
            "member", f"{own}/diff", {"from": "1", "to": "2"}
        ),
        ("GET", "/api/v1/actions/{action_id}/history"): lambda w: Call("member", f"{own}/history"),
        ("GET", "/api/v1/actions/{action_id}/possible-duplicates"): lambda w: Call(
            "member", f"{own}/possible-duplicates"
        ),
        ("GET", "/api/v1/actions/{action_id}/similar"): lambda w: Call("visitor", f"{own}/similar"),
        ("POST", "/api/v1/actions/{action_id}/partners"): lambda w: Call(
            "outsider", f"{own}/partners", json={"organisation_id": b}
        ),
        ("POST", "/api/v1/actions/{action_id}/partners/{organisation_id}/{decision}"): lambda w: (
            Call("admin", f"{own}/partners/{b}/approve", headers={"If-Match": f'"{w.version()}"'})
        ),
        ("POST", "/api/v1/actions/{action_id}/confirm-by-link"): lambda w: Call(
            "visitor", f"{own}/confirm-by-link", json={"token": "not-from-a-mail"}
        ),
        ("POST", "/api/v1/imports"): lambda w: Call(
            "coordinator",
            "/api/v1/imports",
            {"dry_run": "true"},
            files={"file": ("actions.csv", _import_csv(w), "text/csv")},
        ),
        ("GET", "/api/v1/imports/template.{kind}"): lambda w: Call(
            "visitor", "/api/v1/imports/template.xlsx"
        ),
        ("GET", "/api/v1/search"): lambda w: Call("visitor", "/api/v1/search", {"q": "koe"}),
        ("GET", "/api/v1/suggest"): lambda w: Call("visitor", "/api/v1/suggest", {"q": "jul"}),
        ("GET", "/api/v1/search/community"): lambda w: Call(
            "visitor", "/api/v1/search/community", {"q": "seminaari", "type": "event"}
        ),
        ("GET", "/api/v1/dialogue"): lambda w: Call("coordinator", "/api/v1/dialogue"),
        ("GET", "/api/v1/coverage"): lambda w: Call("visitor", "/api/v1/coverage"),
        ("GET", "/api/v1/coverage/stream"): lambda w: Call("visitor", "/api/v1/coverage/stream"),
        ("GET", "/api/v1/coverage/needs-push"): lambda w: Call(
            "visitor", "/api/v1/coverage/needs-push"
        ),
        ("GET", "/api/v1/coverage/places"): lambda w: Call("visitor", "/api/v1/coverage/places"),
        ("GET", "/api/v1/coverage/freshness"): lambda w: Call(
            "visitor", "/api/v1/coverage/freshness"
        ),
        ("GET", "/api/v1/coverage/series"): lambda w: Call("visitor", "/api/v1/coverage/series"),
        ("GET", "/api/v1/coverage/at"): lambda w: Call(
            "visitor", "/api/v1/coverage/at", {"date": "2026-01-01"}
        ),
        ("GET", "/api/v1/coverage/actions"): lambda w: Call(
            "visitor", "/api/v1/coverage/actions", {"node": "1.1.1"}
        ),
        ("GET", "/api/v1/coverage/pipeline"): lambda w: Call(
            "coordinator", "/api/v1/coverage/pipeline"
        ),
        ("GET", "/api/v1/exports"): lambda w: Call("coordinator", "/api/v1/exports"),
        ("GET", "/api/v1/exports/{table}"): lambda w: Call(
            "coordinator", "/api/v1/exports/coverage.xlsx"
        ),
        ("GET", "/api/v1/reports/yearly/{year}"): lambda w: Call(
            "visitor", "/api/v1/reports/yearly/2026", {"format": "json"}
        ),
        ("GET", "/api/v1/snapshots"): lambda w: Call("coordinator", "/api/v1/snapshots"),
        # A snapshot of a year long past: frozen figures of nothing, harmless to the others.
        ("POST", "/api/v1/snapshots"): lambda w: Call(
            "coordinator", "/api/v1/snapshots", json={"year": 2020, "label": "API walk"}
        ),
        ("GET", "/api/v1/open-data"): lambda w: Call("visitor", "/api/v1/open-data"),
        ("GET", "/api/v1/open-data/{name}"): lambda w: Call(
            "visitor", "/api/v1/open-data/actions.json"
        ),
        ("GET", "/api/v1/plan"): lambda w: Call("visitor", "/api/v1/plan"),
        ("GET", "/api/v1/plan/versions"): lambda w: Call("visitor", "/api/v1/plan/versions"),
        ("GET", "/api/v1/plan/versions/{version}"): lambda w: Call(
            "visitor", "/api/v1/plan/versions/1"
        ),
        ("GET", "/api/v1/plan/nodes/{code}"): lambda w: Call("visitor", "/api/v1/plan/nodes/1.1.1"),
        ("POST", "/api/v1/plan/nodes"): lambda w: Call(
            "coordinator",
            "/api/v1/plan/nodes",
            json={"code": ABSENT_CODE, "name": {"fi": "Koe", "sv": "Test", "en": "Test"}},
        ),
        ("PATCH", "/api/v1/plan/nodes/{code}"): lambda w: Call(
            "coordinator", f"/api/v1/plan/nodes/{ABSENT_CODE}", json={"description": "Koe"}
        ),
        ("POST", "/api/v1/plan/nodes/{code}/retire"): lambda w: Call(
            "coordinator", f"/api/v1/plan/nodes/{ABSENT_CODE}/retire", json={"reason": "koe"}
        ),
        ("POST", "/api/v1/plan/nodes/{code}/merge"): lambda w: Call(
            "coordinator", f"/api/v1/plan/nodes/{ABSENT_CODE}/merge", json={"into": "1.1.1"}
        ),
        ("POST", "/api/v1/plan/imports"): lambda w: Call(
            "coordinator",
            "/api/v1/plan/imports",
            {"dry_run": "true", "filename": "plan.csv"},
            content=_plan_csv(),
            headers={"content-type": "text/csv"},
        ),
        ("GET", "/api/v1/organisations"): lambda w: Call(
            "visitor", "/api/v1/organisations", {"limit": "2"}
        ),
        ("GET", "/api/v1/organisations/{organisation_id}"): lambda w: Call(
            "visitor", f"/api/v1/organisations/{a}"
        ),
        ("GET", "/api/v1/geography/{kind}"): lambda w: Call(
            "visitor", "/api/v1/geography/municipalities", {"county": "01"}
        ),
        ("GET", "/api/v1/places"): lambda w: Call("visitor", "/api/v1/places"),
        ("GET", "/api/v1/places/map"): lambda w: Call("visitor", "/api/v1/places/map"),
        ("GET", "/api/v1/places/finland"): lambda w: Call("visitor", "/api/v1/places/finland"),
        ("GET", "/api/v1/places/county/{code}"): lambda w: Call(
            "visitor", "/api/v1/places/county/01"
        ),
        ("GET", "/api/v1/places/county/{code}/report"): lambda w: Call(
            "visitor", "/api/v1/places/county/01/report"
        ),
        ("GET", "/api/v1/places/municipality/{code}"): lambda w: Call(
            "visitor", "/api/v1/places/municipality/564"
        ),
        ("GET", "/api/v1/indicators"): lambda w: Call("visitor", "/api/v1/indicators"),
        ("GET", "/api/v1/indicators/need"): lambda w: Call(
            "visitor", "/api/v1/indicators/need", {"indicator": "999999"}
        ),
        ("PUT", "/api/v1/indicators/{indicator}/sub-goals"): lambda w: Call(
            "coordinator", "/api/v1/indicators/999999/sub-goals", json={"sub_goals": ["1.1"]}
        ),
        ("POST", "/api/v1/auth/login-link"): lambda w: Call(
            "visitor", "/api/v1/auth/login-link", json={"email": "nobody@example.org"}
        ),
        ("POST", "/api/v1/auth/register"): lambda w: Call(
            "visitor",
            "/api/v1/auth/register",
            json={
                "name": "Rajapinnan Kokeilija",
                "email": p.people["member"].email,
                "organisation_id": a,
                "accept_privacy_notice": True,
            },
        ),
        ("GET", "/api/v1/me"): lambda w: Call("member", "/api/v1/me"),
        ("GET", "/api/v1/me/data"): lambda w: Call("member", "/api/v1/me/data"),
        ("GET", "/api/v1/me/notifications"): lambda w: Call("member", "/api/v1/me/notifications"),
        ("PUT", "/api/v1/me/notifications"): lambda w: Call(
            "member", "/api/v1/me/notifications", json={"kinds": {}}
        ),
        # A session's erasure of its own person: asked without the confirmation, so nothing
        # is erased; the refusal names the field.
        ("POST", "/api/v1/me/erasure"): lambda w: Call(
            "member", "/api/v1/me/erasure", json={"confirm": False}
        ),
        # discussions: the test's own topic and messages (made in _community)
        ("GET", "/api/v1/discussions/topics"): lambda w: Call(
            "visitor", "/api/v1/discussions/topics", {"limit": "5"}
        ),
        ("GET", "/api/v1/discussions/reports"): lambda w: Call(
            "coordinator", "/api/v1/discussions/reports"
        ),
        ("POST", "/api/v1/discussions/reports/{report_id}/dismiss"): lambda w: Call(
            "coordinator", f"/api/v1/discussions/reports/{mine['report']}/dismiss"
        ),
        ("GET", "/api/v1/discussions/messages/{message_id}"): lambda w: Call("visitor", message),
        ("PUT", "/api/v1/discussions/messages/{message_id}"): lambda w: Call(
            "member", message, json={"body": "Rajapinnan koe, muokattu"}
        ),
        ("DELETE", "/api/v1/discussions/messages/{message_id}"): lambda w: Call(
            "admin", f"/api/v1/discussions/messages/{mine['deleted']}"
        ),
        ("POST", "/api/v1/discussions/messages/{message_id}/hide"): lambda w: Call(
            "coordinator",
            f"/api/v1/discussions/messages/{mine['hidden']}/hide",
            json={"reason": "Rajapinnan koe"},
        ),
        ("POST", "/api/v1/discussions/threads/{thread_id}/replies"): lambda w: Call(
            "member", f"{thread}/replies", json={"body": "Rajapinnan koe: vastaus"}
        ),
        ("PUT", "/api/v1/discussions/threads/{thread_id}/follow"): lambda w: Call(
            "member", f"{thread}/follow"
        ),
        ("DELETE", "/api/v1/discussions/threads/{thread_id}/follow"): lambda w: Call(
            "member", f"{thread}/follow"
        ),
        ("GET", "/api/v1/discussions/{kind}/{ref}"): lambda w: Call(
            "visitor", f"/api/v1/discussions/action/{aid}"
        ),
        ("GET", "/api/v1/discussions/{kind}/{ref}/threads"): lambda w: Call(
            "visitor", f"{topic}/threads", {"limit": "2"}
        ),
        ("PUT", "/api/v1/discussions/{kind}/{ref}/follow"): lambda w: Call(
            "member", f"{topic}/follow"
        ),
        ("DELETE", "/api/v1/discussions/{kind}/{ref}/follow"): lambda w: Call(
            "member", f"{topic}/follow"
        ),
        # news and events: the test's own (made in _community)
        ("GET", "/api/v1/news"): lambda w: Call("visitor", "/api/v1/news", {"lang": "sv"}),
        ("GET", "/api/v1/news/feed.{lang}.atom"): lambda w: Call(
            "visitor", "/api/v1/news/feed.en.atom"
        ),
        ("GET", "/api/v1/news/{news_id}"): lambda w: Call("visitor", news, {"lang": "en"}),
        ("PUT", "/api/v1/news/{news_id}"): lambda w: Call(
            "coordinator", news, json=_news("muokattu")
        ),
        ("POST", "/api/v1/news/{news_id}/withdraw"): lambda w: Call(
            "coordinator", f"/api/v1/news/{mine['withdrawn']}/withdraw"
        ),
        ("GET", "/api/v1/events"): lambda w: Call(
            "visitor", "/api/v1/events", {"organisation_type": "municipality", "limit": "5"}
        ),
        ("GET", "/api/v1/events/feed.ics"): lambda w: Call("visitor", "/api/v1/events/feed.ics"),
        ("GET", "/api/v1/events/{event_id}"): lambda w: Call("visitor", event),
        ("GET", "/api/v1/events/{event_id}.ics"): lambda w: Call("visitor", f"{event}.ics"),
        ("PUT", "/api/v1/events/{event_id}"): lambda w: Call(
            "member", event, json=_event(w, "muokattu")
        ),
        ("POST", "/api/v1/events/{event_id}/cancel"): lambda w: Call(
            "member", f"/api/v1/events/{mine['cancelled']}/cancel"
        ),
        # good practices: an experience of the test's own action, its highlight (see
        # _community)
        ("GET", "/api/v1/practices/experiences"): lambda w: Call(
            "visitor", "/api/v1/practices/experiences", {"action_id": aid}
        ),
        ("POST", "/api/v1/practices/experiences"): lambda w: Call(
            "member",
            "/api/v1/practices/experiences",
            json={
                "action_id": aid,
                "organisation_id": a,
                "language": "fi",
                "what_worked": "Rajapinnan koe",
                "for_whom": "Koe",
            },
        ),
        ("GET", "/api/v1/practices/highlights"): lambda w: Call(
            "visitor", "/api/v1/practices/highlights"
        ),
        ("GET", "/api/v1/practices/highlights/{action_id}"): lambda w: Call(
            "visitor", f"/api/v1/practices/highlights/{aid}"
        ),
    }


# Refusals a valid call gets on purpose, with the field each names: a plan code no plan has,
# an indicator that does not exist, a reminder link's token the test cannot have, an erasure
# left unconfirmed.
REFUSALS: dict[tuple[str, str], tuple[int, str]] = {
    ("POST", "/api/v1/plan/nodes"): (422, "code"),
    ("PATCH", "/api/v1/plan/nodes/{code}"): (404, "code"),
    ("POST", "/api/v1/plan/nodes/{code}/retire"): (404, "code"),
    ("POST", "/api/v1/plan/nodes/{code}/merge"): (404, "code"),
    ("GET", "/api/v1/indicators/need"): (404, "indicator"),
    ("PUT", "/api/v1/indicators/{indicator}/sub-goals"): (404, "indicator"),
    ("POST", "/api/v1/actions/{action_id}/confirm-by-link"): (422, "token"),
    ("POST", "/api/v1/me/erasure"): (422, "confirm"),
}


# Called while making the test's own action (every step of the workflow) and its own things in
# the community (_community, _community_cleared).
SET_UP = {
    ("POST", "/api/v1/actions"),
    ("POST", "/api/v1/actions/{action_id}/{step}"),
    ("POST", "/api/v1/discussions/topics"),
    ("POST", "/api/v1/discussions/{kind}/{ref}/threads"),
    ("POST", "/api/v1/discussions/messages/{message_id}/reports"),
    ("POST", "/api/v1/news"),
    ("POST", "/api/v1/events"),
    ("PUT", "/api/v1/practices/highlights/{action_id}"),
}


@pytest.fixture(scope="module")
def walk(platform: RunningPlatform) -> Iterator[Walk]:
    walk = Walk(platform)
    _new_action(walk)
    _workflow(walk)
    _community(walk)
    yield walk


def test_every_operation_of_the_document_works(document: dict[str, Any], walk: Walk) -> None:
    calls = _calls(walk)
    listed = operations(document)
    assert listed - set(calls) - SET_UP == set(), "operations the walk does not call"
    assert set(calls) - listed == set(), "calls of operations no longer listed"
    for method, path in sorted(listed - SET_UP):
        walk.send(method, path, calls[(method, path)](walk))
    # The community's own news, event and highlight go, then the action is withdrawn, last,
    # after the calls that need it published.
    _community_cleared(walk)
    walk.step("member", "withdraw")
    routes = public_routes()
    wrong = []
    for method, path, answer in walk.answers:
        where = f"{method} {path} -> {answer.status_code}: {answer.text[:300]}"
        refusal = REFUSALS.get((method, path))
        if answer.status_code >= 400:
            fields = {e.get("field") for e in _errors(answer)}
            if refusal is None or refusal != (answer.status_code, _one(fields)):
                wrong.append(where)
            continue
        if refusal is not None:
            wrong.append(f"{where} (expected the refusal {refusal})")
        model = routes[(method, path)].response_model
        if model is not None and "json" in answer.headers.get("content-type", ""):
            try:
                TypeAdapter(model).validate_python(answer.json())
            except ValueError as exc:
                wrong.append(f"{where}\n  does not fit {model}: {exc}"[:1500])
    assert wrong == [], "\n".join(wrong)
    # Every step of the workflow was taken for real.
    steps = {a.url.path.rsplit("/", 1)[1] for m, p, a in walk.answers if p.endswith("{step}")}
    assert {"submit", "return", "publish", "confirm", "withdraw"} <= steps


def _errors(answer: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = answer.json()
    except ValueError:
        return []
    return body.get("errors", []) if isinstance(body, dict) else []


def _one(fields: set[Any]) -> Any:
    return next(iter(fields)) if len(fields) == 1 else None


def test_lists_page_with_cursors(platform: RunningPlatform) -> None:
    """A list's pages join up: following next_cursor gives every item once, limit is kept."""
    with platform.browser() as visitor:
        first = visitor.get("/api/v1/geography/municipalities", params={"limit": 100})
        assert first.status_code == 200, first.text
        seen = [m["code"] for m in first.json()["items"]]
        assert first.json()["limit"] == 100 and len(seen) == 100
        cursor = first.json()["next_cursor"]
        while cursor:
            page = visitor.get(
                "/api/v1/geography/municipalities", params={"limit": 100, "cursor": cursor}
            )
            assert page.status_code == 200, page.text
            seen += [m["code"] for m in page.json()["items"]]
            cursor = page.json()["next_cursor"]
        # The same list read from catalogue itself in its largest pages.
        whole: list[str] = []
        with httpx.Client(base_url=platform.url("catalogue")) as catalogue:
            params: dict[str, Any] = {"limit": 200}
            while True:
                page = catalogue.get("/geography/municipalities", params=params).json()
                whole += [m["code"] for m in page["items"]]
                if not page["next_cursor"]:
                    break
                params["cursor"] = page["next_cursor"]
        assert len(whole) > 200 and seen == sorted(whole)
        too_many = visitor.get("/api/v1/organisations", params={"limit": 1000})
        assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "limit"
        forged = visitor.get("/api/v1/plan/versions", params={"cursor": "bm90LWpzb24"})
        assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "cursor"
    organisations = []
    with platform.browser() as visitor:
        cursor = None
        while True:
            params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
            page = visitor.get("/api/v1/organisations", params=params).json()
            organisations += [o["id"] for o in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
    assert len(organisations) == len(set(organisations)) >= 3


def test_docs_page_loads_nothing_from_elsewhere(platform: RunningPlatform) -> None:
    with platform.browser() as visitor:
        page = visitor.get("/api/v1/docs")
        assert page.status_code == 200
        assert "/api/v1/actions/{action_id}/{step}" in page.text
        for src in _assets(page.text):
            assert src.startswith("/static/"), src
            assert visitor.get(src).status_code == 200, src


def _assets(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
