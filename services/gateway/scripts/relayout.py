"""Rewrites imports written against the gateway's old flat layout to its subpackages.

For the lead merging branches that added gateway code while the layout changed (see
services/gateway/LAYOUT.md): ``python services/gateway/scripts/relayout.py FILE...`` rewrites
``from htk_gateway.<old> import ...`` and ``from htk_gateway import <old>`` lines, dotted
names in strings (monkeypatch targets) and ``htk_gateway/<old>.py`` paths in text, in place.
It does not move files: move a new flat module with ``git mv`` to the subpackage LAYOUT.md
names for its kind, then run this on every file that imports it. What cannot be rewritten
mechanically (``state(request)["x"]``, hand-called guards) is listed for a person to convert.
"""

import re
import sys
from pathlib import Path

# old module -> new module
MOVES = {
    "web": "web.render",
    "i18n": "web.i18n",
    "formats": "web.formats",
    "forms": "web.forms",
    "markdown": "web.markdown",
    "errors_html": "web.errors_html",
    "origin": "web.origin",
    "return_to": "web.return_to",
    "reference": "web.reference",
    "clients": "web.client_address",
    "pages": "pages.public",
    "action_pages": "pages.actions",
    "action_changes": "pages.action_changes",
    "account_pages": "pages.account",
    "coordinator_pages": "pages.coordinator",
    "dashboard_pages": "pages.dashboard",
    "join_pages": "pages.join",
    "member_pages": "pages.member",
    "organisation_pages": "pages.organisations",
    "place_pages": "pages.places",
    "plan_pages": "pages.plan",
    "api": "api.routes",
    "openapi": "api.openapi",
    "upstream": "api.upstream",
    "internal": "api.internal",
    "live": "api.live",
    "auth": "auth.login",
    "sessions": "auth.sessions",
    "identity": "auth.identity",
    "csrf": "auth.csrf",
    "members": "auth.members",
    "link_mail": "auth.link_mail",
    "ratelimit": "auth.ratelimit",
    "follows": "follows.store",
    # Added by the branches merged with the layout (community, county report, API contract).
    "discussion_pages": "pages.discussion",
    "discussion_view": "pages.discussion_view",
    "discussion_links": "pages.discussion_links",
    "news_pages": "pages.news",
    "event_pages": "pages.events",
    "practice_pages": "pages.practices",
    "reminder_pages": "pages.reminders",
    "county_report_pages": "pages.county_report",
    "discussion_api": "api.discussions",
    "community_news_api": "api.community",
    "api_schemas": "api.schemas",
    "api_contract": "api.contract",
    "api_schemas_community": "api.schemas_community",
    "dialogue_dashboard": "pages.dialogue_dashboard",
    "community_search": "pages.community_search",
    "listing": "web.listing",
}
# names that went elsewhere than MOVES[old]: old module -> {name: (new module, new name)},
# or None for a name that is gone
NAMES: dict[str, dict[str, tuple[str, str] | None]] = {
    "web": {
        "Viewer": ("web.viewer", "Viewer"),
        "viewer": ("web.viewer", "viewer"),
        "secure_cookies": ("web.viewer", "secure_cookies"),
        "settings": ("web.deps", "gateway_settings"),
        "user_headers": ("web.calls", "user_headers"),
        "service_headers": ("web.calls", "service_headers"),
        "call": ("web.calls", "call"),
        "read": ("web.calls", "read"),
        "error_list": ("web.calls", "error_list"),
        "form_data": ("web.forms", "form_data"),
        "as_list": ("web.forms", "as_list"),
        "limit_writes": ("web.guards", "limit_writes"),
        "state": None,  # gone: take the part from web.deps (listed below for a person)
    },
    "follows": {
        "unsubscribe_signature": ("follows.digest", "unsubscribe_signature"),
        "send_digests": ("follows.digest", "send_digests"),
        "digest_worker": ("follows.digest", "digest_worker"),
        "router": ("follows.pages", "router"),
    },
    "member_pages": {"signed_in": ("web.guards", "signed_in")},
    "coordinator_pages": {"coordinator": ("web.guards", "coordinator")},
    "live": {"live_streams": ("web.deps", "live_streams")},
    "place_pages": {
        "api_router": ("api.places", "api_router"),
        "indicators_api_router": ("api.places", "indicators_api_router"),
    },
}
# Left for a person: the old way of reaching parts and guards.
BY_HAND = re.compile(
    r"state\(request\)|ctx\(\)\.state\[|\badmin_of\(v|\bsigned_in\(v\)|\bcoordinator\(v\)"
    r"|await viewer\(request\)|await form_data\(request\)|await limit_writes\("
)
FROM = re.compile(
    r"^(?P<ind>[ \t]*)from htk_gateway(?:\.(?P<mod>[a-z_]+))? import "
    r"(?P<names>\([^)]*\)|[^\n]*)",
    re.M,
)
OLD = "|".join(sorted(MOVES, key=len, reverse=True))
DOTTED = re.compile(r"htk_gateway\.(" + OLD + r")\b(?![./])")
PATH = re.compile(r"htk_gateway/(" + OLD + r")\.py\b")


def _names(text: str) -> list[str]:
    text = re.sub(r"#[^\n]*", "", text.strip().strip("()"))
    return [n.strip() for n in text.replace("\n", " ").split(",") if n.strip()]


PACKAGE = Path(__file__).resolve().parents[1] / "src" / "htk_gateway"


def _already_moved(mod: str, names: list[str]) -> bool:
    """``from htk_gateway.web import reference``: the old module's name is now a package and
    every name imported is one of its modules, so the line is already in the new layout (the
    script may then run on any file, moved or not)."""
    package = PACKAGE / mod
    return package.is_dir() and all(
        (package / f"{n.partition(' as ')[0].strip()}.py").exists() for n in names
    )


def _import(match: re.Match[str]) -> str:
    ind, mod = match.group("ind"), match.group("mod")
    names = _names(match.group("names"))
    groups: dict[str, list[str]] = {}
    if mod is None:  # from htk_gateway import csrf, reference
        kept = []
        for name in names:
            base, _, alias = (p.strip() for p in name.partition(" as "))
            if base not in MOVES:
                kept.append(name)
                continue
            package, _, leaf = MOVES[base].rpartition(".")
            shown = alias or base
            groups.setdefault(package, []).append(leaf if leaf == shown else f"{leaf} as {shown}")
        lines = [f"{ind}from htk_gateway import {', '.join(kept)}"] if kept else []
    elif mod in MOVES and _already_moved(mod, names):
        return match.group(0)
    elif mod in MOVES:
        for name in names:
            base, _, alias = (p.strip() for p in name.partition(" as "))
            target = NAMES.get(mod, {}).get(base, (MOVES[mod], base))
            if target is None:
                continue
            module, new = target
            shown = alias or base
            groups.setdefault(module, []).append(new if new == shown else f"{new} as {shown}")
        lines = []
    else:
        return match.group(0)
    lines += [f"{ind}from htk_gateway.{m} import {', '.join(n)}" for m, n in groups.items()]
    return "\n".join(lines)


def rewrite(text: str) -> str:
    text = FROM.sub(_import, text)
    out = []
    for line in text.split("\n"):
        if not re.match(r"\s*from htk_gateway(\.[a-z_.]+)? import", line):
            line = DOTTED.sub(lambda m: "htk_gateway." + MOVES[m.group(1)], line)
            line = PATH.sub(
                lambda m: "htk_gateway/" + MOVES[m.group(1)].replace(".", "/") + ".py", line
            )
        out.append(line)
    return "\n".join(out)


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        text = path.read_text()
        new = rewrite(text)
        if new != text:
            path.write_text(new)
            print(f"rewrote {path}")
        if "/tests/" in str(path.resolve()):
            continue  # tests may reach into the service's state
        for number, line in enumerate(new.split("\n"), 1):
            if BY_HAND.search(line):
                print(f"{path}:{number}: convert by hand (LAYOUT.md): {line.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
