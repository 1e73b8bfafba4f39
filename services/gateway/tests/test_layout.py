"""The gateway's layout rules (services/gateway/LAYOUT.md), checked on its source: only the
store modules talk to the database, handlers reach the gateway's parts through the
dependencies of web/deps.py, not by string keys into the service's state, and route handlers
declare their guards as dependencies instead of calling them."""

import ast
import re
from pathlib import Path

import htk_gateway

SRC = Path(htk_gateway.__file__).parent
STORES = {
    "api_tokens/store.py",
    "auth/members.py",
    "auth/ratelimit.py",
    "auth/sessions.py",
    "follows/store.py",
    "notify/store.py",
}
# main.py builds the stores from the database and puts the parts into the service's state;
# workers are handed that state (the service context) and read it.
WIRING = {"main.py"}
DATABASE = re.compile(r"\bpymongo\b|\bAsyncDatabase\b|\bctx\.db\b|\.db\[")
STATE_BY_KEY = re.compile(r"state\(request\)|ctx\(\)\.state|\.state\[\"")
WORKERS = {"follows/digest.py", "auth/link_mail.py"}


def sources() -> dict[str, str]:
    return {p.relative_to(SRC).as_posix(): p.read_text() for p in sorted(SRC.rglob("*.py"))}


def test_only_store_modules_touch_the_database() -> None:
    touching = {name for name, text in sources().items() if DATABASE.search(text)}
    assert touching - STORES - WIRING == set(), "move these queries into a store module"
    assert STORES <= touching, "a store module that no longer queries: update STORES"


def test_parts_come_through_dependencies() -> None:
    by_key = {
        name
        for name, text in sources().items()
        if STATE_BY_KEY.search(text) and name not in {"web/deps.py", *WIRING, *WORKERS}
    }
    assert by_key == set(), "take the part as a web.deps dependency (MembersDep, ...) instead"


def test_the_old_flat_modules_are_gone() -> None:
    # New gateway code goes into the subpackages; a module at the top is wiring only.
    top = {p.name for p in SRC.glob("*.py")}
    assert top == {"__init__.py", "main.py", "settings.py"}


# The guards of web/guards.py (and what they are made of) that a route handler declares
# (``v: Reader``, ``form: Form``, ``user: SignedIn``, ``dependencies=[MEMBER_WRITE]``) rather
# than calls. Helpers a handler calls with an already-checked caller, and dependencies built on
# the guards, may still call them: only the route handlers themselves are checked.
HAND_GUARDS = {
    "viewer",
    "form_data",
    "limit_writes",
    "signed_in",
    "coordinator",
    "organisation_admin",
}
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route", "websocket"}


def _is_route(function: ast.AsyncFunctionDef | ast.FunctionDef) -> bool:
    """Decorated ``@<router>.get(...)`` (or post, put, ...): a route handler."""
    for decorator in function.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ROUTE_METHODS:
            return True
    return False


def hand_called_guards(text: str) -> list[str]:
    """``handler: guard()`` for each guard a route handler of ``text`` calls by hand."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) or not _is_route(node):
            continue
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Call):
                continue
            func = inner.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in HAND_GUARDS:
                found.append(f"{node.name}: {name}()")
    return found


def test_the_check_finds_a_hand_called_guard() -> None:
    handler = """
@router.post("/x")
async def x(request: Request) -> Response:
    form = await form_data(request)
    v = await guards.viewer(request)
    user = coordinator(signed_in(v))
    await limit_writes(request, user)
    return await _helper(request, v, user)


async def _helper(request: Request, v: Viewer, user: User) -> Response:
    signed_in(v)
"""
    # The helper, handed a checked caller, is not a route: only the handler's calls count.
    assert sorted(hand_called_guards(handler)) == [
        "x: coordinator()",
        "x: form_data()",
        "x: limit_writes()",
        "x: signed_in()",
        "x: viewer()",
    ]


def test_route_handlers_declare_their_guards() -> None:
    # Every module with routes (pages/, api/, and the pages of auth/, follows/, api_tokens/).
    hand_called = [
        f"{name}: {found}" for name, text in sources().items() for found in hand_called_guards(text)
    ]
    assert hand_called == [], (
        "declare these as dependencies (web/guards.py: Reader, Form, SignedIn, Coordinator, "
        "OrganisationAdmin; MEMBER_WRITE, COORDINATOR_WRITE, ... in dependencies=)"
    )
