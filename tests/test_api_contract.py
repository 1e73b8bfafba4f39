"""The HTTP contract of the backend services, read from their OpenAPI documents.

Every route of catalogue, submissions, search, reporting and community says what it answers: a named
response model (or, for files and pages, its media type), and its refusals in the one error
shape (``htk_runtime.errors.ErrorAnswer``). Every list answers the one envelope
(``htk_runtime.listing.Page``: ``items``, ``next_cursor``, ``limit``) and takes ``limit`` and
``cursor``. The apps are built, not started: no broker or database is needed.
"""

import importlib
from functools import cache
from typing import Any

import pytest

SERVICES = ("catalogue", "submissions", "search", "reporting", "community")
METHODS = ("get", "post", "put", "patch", "delete")
ERROR = "#/components/schemas/ErrorAnswer"

# The lists of these services. A route here that stops answering a Page fails the test, and
# so does a Page (or any answer with an array of items) not named here: then add it.
LIST_ROUTES = {
    ("catalogue", "get", "/plan/versions"),
    ("catalogue", "get", "/organisations"),
    ("catalogue", "get", "/organisations/{organisation_id}/memberships"),
    ("catalogue", "get", "/members"),
    ("catalogue", "get", "/geography/counties"),
    ("catalogue", "get", "/geography/municipalities"),
    ("submissions", "get", "/actions"),
    ("submissions", "get", "/actions/{action_id}/history"),
    ("search", "get", "/search"),
    ("reporting", "get", "/coverage/actions"),
    ("reporting", "get", "/snapshots"),
    ("reporting", "get", "/indicators"),
    ("community", "get", "/discussions/topics"),
    ("community", "get", "/discussions/reports"),
    ("community", "get", "/discussions/{kind}/{ref}/threads"),
    ("community", "get", "/news"),
    ("community", "get", "/events"),
    ("community", "get", "/practices/experiences"),
    ("community", "get", "/practices/highlights"),
}


@cache
def document(service: str) -> dict[str, Any]:
    app = importlib.import_module(f"htk_{service}.main").create_service().app()
    return dict(app.openapi())


def operations() -> list[tuple[str, str, str]]:
    found = []
    for service in SERVICES:
        for path, item in document(service)["paths"].items():
            if path.startswith("/health"):
                continue  # the runtime's own, the same in every service
            found += [(service, method, path) for method in METHODS if method in item]
    return found


def resolve(service: str, schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document(service)["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def named(schema: dict[str, Any]) -> bool:
    """A named model: a reference, or a union of references."""
    if "$ref" in schema:
        return True
    options = schema.get("anyOf") or schema.get("oneOf") or []
    return bool(options) and all("$ref" in o for o in options)


def success(operation: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    codes = [c for c in operation["responses"] if c.startswith("2")]
    assert len(codes) == 1, f"one success answer, not {codes}"
    return codes[0], operation["responses"][codes[0]]


def json_schema(answer: dict[str, Any]) -> dict[str, Any] | None:
    content = answer.get("content", {})
    return content.get("application/json", {}).get("schema") if content else None


def is_page(service: str, schema: dict[str, Any] | None) -> bool:
    if schema is None:
        return False
    properties = resolve(service, schema).get("properties", {})
    return {"items", "next_cursor", "limit"} <= set(properties) and (
        properties["items"].get("type") == "array"
    )


OPERATIONS = operations()


def test_the_services_have_their_routes_in_the_documents() -> None:
    per_service = {s: sum(1 for o in OPERATIONS if o[0] == s) for s in SERVICES}
    assert all(n >= 4 for n in per_service.values()), per_service


@pytest.mark.parametrize(("service", "method", "path"), OPERATIONS)
def test_every_route_declares_its_success_answer(service: str, method: str, path: str) -> None:
    operation = document(service)["paths"][path][method]
    code, answer = success(operation)
    if code == "204":
        return
    content = answer.get("content") or {}
    assert content, f"{method.upper()} {path} declares no content for {code}"
    for media_type, body in content.items():
        schema = body.get("schema")
        assert schema, f"{method.upper()} {path}: {media_type} without a schema"
        if media_type == "application/json":
            assert named(schema), (
                f"{method.upper()} {path} answers untyped JSON ({schema}): declare a "
                "response model in the domain's schemas module"
            )


@pytest.mark.parametrize(("service", "method", "path"), OPERATIONS)
def test_every_route_declares_its_error_answers(service: str, method: str, path: str) -> None:
    responses = document(service)["paths"][path][method]["responses"]
    assert {"422", "503"} <= set(responses), (
        f"{method.upper()} {path}: declare responses=error_answers(...) from htk_runtime.errors"
    )
    for code, answer in responses.items():
        if code[0] in "45":
            assert json_schema(answer) == {"$ref": ERROR}, f"{method.upper()} {path} {code}"


@pytest.mark.parametrize(("service", "method", "path"), OPERATIONS)
def test_every_list_is_one_page_of_the_one_envelope(service: str, method: str, path: str) -> None:
    operation = document(service)["paths"][path][method]
    _, answer = success(operation)
    schema = json_schema(answer)
    listed = (service, method, path) in LIST_ROUTES
    if schema is not None:
        top = resolve(service, schema)
        assert top.get("type") != "array", f"{method.upper()} {path}: a bare array, not a Page"
        items = top.get("properties", {}).get("items", {})
        if items.get("type") == "array":
            assert is_page(service, schema), f"{method.upper()} {path}: items without a Page"
    assert is_page(service, schema) == listed, f"{method.upper()} {path}: " + (
        "a list that does not answer a Page" if listed else "a Page missing from LIST_ROUTES"
    )
    if not listed:
        return
    parameters = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    assert {"limit", "cursor"} <= set(parameters), f"{method.upper()} {path} pages by limit+cursor"
    limit = resolve(service, parameters["limit"]["schema"])
    assert limit.get("maximum"), f"{method.upper()} {path}: limit has no upper bound"
    assert not {"offset", "page", "per_page", "after"} & set(parameters)
