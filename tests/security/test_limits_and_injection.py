"""Oversized bodies and uploads; query syntax and MongoDB operators where text is expected.

Too large: 413 with a message, whether the size is declared or streamed, and nothing stored.
Injection: search text in tantivy/Elasticsearch syntax, regular-expression bombs and ``$``
operators in JSON fields and query parameters get a 4xx or an answer that matches no more than
plain text would: never a 5xx, never a draft, never every record.
"""

import json
from collections.abc import Iterator

import pytest
from pymongo import MongoClient

from htk_runtime.auth import SERVICE_HEADER, sign_service
from tests.stack import RunningPlatform

pytestmark = pytest.mark.security
MB = 1_000_000


def counts(platform: RunningPlatform) -> dict[str, int]:
    with MongoClient(platform.mongo_uri) as mongo:
        return {
            "actions": mongo["htk_submissions"]["actions"].count_documents({}),
            "organisations": mongo["htk_catalogue"]["organisations"].count_documents({}),
            "plan": mongo["htk_catalogue"]["plan_versions"].count_documents({}),
        }


def chunks(size: int) -> Iterator[bytes]:
    """A body without Content-Length: the limit must hold while it streams in."""
    piece = b"a" * 65536
    for _ in range(size // len(piece) + 1):
        yield piece


def refused_as_too_large(answer: object) -> None:
    status = answer.status_code  # type: ignore[attr-defined]
    assert status == 413, (status, answer.text[:200])  # type: ignore[attr-defined]
    assert "too large" in answer.json()["message"]  # type: ignore[attr-defined]


def test_oversized_bodies_and_uploads_are_refused_and_nothing_is_stored(
    platform: RunningPlatform,
) -> None:
    before = counts(platform)
    big_json = json.dumps({"title": "x" * (2 * MB), "summary": "y"}).encode()
    services = {
        "catalogue": "/organisations",
        "submissions": "/actions",
        "search": "/similar",
        "reporting": "/snapshots",
    }
    for service, path in services.items():
        with platform.client(service, "coordinator") as client:
            for body in (big_json, chunks(2 * MB)):
                refused_as_too_large(
                    client.post(path, content=body, headers={"content-type": "application/json"})
                )
    coordinator = platform.people["coordinator"]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    uploads = [
        ("/api/v1/actions", 2 * MB, "application/json"),
        ("/api/v1/imports", 11 * MB, "text/csv"),
        ("/api/v1/imports", 11 * MB, xlsx),
        ("/coordinator/import", 11 * MB, "form"),
        ("/coordinator/plan/import", 3 * MB, "form"),
        ("/my/actions/new", 2 * MB, "form"),
    ]
    with platform.browser("coordinator") as browser:
        csrf = platform.csrf_for(coordinator.session)
        for path, size, kind in uploads:
            if kind == "form":
                csv = b"title;summary\n" + b"x" * size
                answer = browser.post(
                    path, data={"csrf": csrf}, files={"file": ("big.csv", csv, "text/csv")}
                )
            elif kind != "application/json":
                answer = browser.post(
                    path,
                    content=chunks(size),
                    headers={"content-type": kind, "X-CSRF-Token": csrf},
                )
            else:
                answer = browser.post(
                    path,
                    content=big_json,
                    headers={"content-type": "application/json", "X-CSRF-Token": csrf},
                )
            refused_as_too_large(answer)
    assert counts(platform) == before, "nothing was stored"


SEARCH_SYNTAX = [
    "*",
    "title:*",
    "*:*",
    "organisation_id:*",
    'kylä AND (title:"',
    "a OR b OR c NOT d ^ ~ \\ / [* TO *] {a TO z}",
    "state:draft",
    "/.*/",
    "(a+)+$",
    "((((((((((((((((((((a))))))))))))))))))))",
    "a~100 " * 20,
    "\\" * 200,
    '"' * 99,
    "\x00\u202e\ufeff",
    "x" * 500,
    '{"$ne": null}',
    '{"query": {"match_all": {}}}',
]


def test_search_syntax_is_text_and_finds_no_drafts(platform: RunningPlatform) -> None:
    with platform.browser() as visitor:
        published = len(visitor.get("/api/v1/open-data/actions.json").json()["actions"])
        for q in SEARCH_SYNTAX:
            for path in ("/api/v1/search", "/api/v1/suggest", "/search"):
                answer = visitor.get(path, params={"q": q[:100] if "suggest" in path else q})
                assert answer.status_code < 500, (path, q, answer.text[:200])
                if path == "/api/v1/search" and answer.status_code == 200:
                    found = answer.json()
                    assert found["total"] <= published, (q, found["total"], published)
                    drafts = [h for h in found["items"] if h.get("id") == platform.ids["draft"]]
                    assert drafts == [], q


OPERATORS: list[object] = [{"$ne": None}, {"$gt": ""}, {"$regex": ".*"}, {"$where": "1"}, ["x"]]


def test_mongodb_operators_in_json_fields_and_parameters_are_refused(
    platform: RunningPlatform,
) -> None:
    mails = len(platform.link_mails())
    with platform.browser() as visitor:
        for operator in OPERATORS:
            for path, body in (
                ("/api/v1/auth/login-link", {"email": operator}),
                ("/api/v1/auth/register", {"email": operator, "name": operator}),
            ):
                answer = visitor.post(path, json=body)
                assert answer.status_code == 422, (path, operator, answer.text[:200])
    assert len(platform.link_mails()) == mails, "no link went anywhere"

    gateway = {SERVICE_HEADER: sign_service("gateway", "catalogue", platform.keys[0])}
    with platform.client("catalogue") as catalogue:
        for operator in OPERATORS:
            answer = catalogue.post("/members/claims", json={"email": operator}, headers=gateway)
            assert answer.status_code == 422, (operator, answer.text[:200])

    text = [json.dumps(o) for o in OPERATORS] + ["[$ne]", "$ne"]
    with platform.browser("outsider") as outsider:
        for value in text:
            mine = outsider.get("/api/v1/actions", params={"organisation_id": value})
            assert mine.status_code in (200, 403, 422), (value, mine.status_code)
            if mine.status_code == 200:
                assert mine.json()["items"] == [], value
            odd = outsider.get(f"/api/v1/actions?organisation_id[$ne]={value}")
            assert odd.status_code < 500
            if odd.status_code == 200:
                ids = {a["id"] for a in odd.json()["items"]}
                assert platform.ids["draft"] not in ids, value
            for path, name in (
                ("/api/v1/search", "organisation"),
                ("/api/v1/search", "state"),
                ("/api/v1/organisations", "status"),
                ("/api/v1/coverage", "scope"),
                ("/api/v1/coverage/actions", "code"),
                (f"/api/v1/actions/{value}", "x"),
                (f"/api/v1/organisations/{value}", "x"),
            ):
                answer = outsider.get(path, params={name: value})
                assert answer.status_code < 500, (path, name, value, answer.text[:200])
                assert platform.ids["draft"] not in answer.text, (path, value)
