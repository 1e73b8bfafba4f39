"""The gateway's layout rules (services/gateway/LAYOUT.md), checked on its source: only the
store modules talk to the database, and handlers reach the gateway's parts through the
dependencies of web/deps.py, not by string keys into the service's state."""

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
