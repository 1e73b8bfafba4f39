"""Reconciliation: every projection against the database that is its source of truth.

After a fault, what the consumers hold must equal what submissions and the catalogue say, each
published action once at its public version and each catalogue aggregate at its version. The
figures are read through the services' own APIs where they serve them (the search index, the
actions behind reporting's figures) and from the projections' databases otherwise (read copies,
aggregate cells): a test may read any database, a service never reads another's.
"""

from collections import Counter
from typing import Any

import httpx
from pymongo import MongoClient

from htk_reporting import store
from htk_reporting.model.contribution import ALL, cell_id
from htk_reporting.model.plan import WHOLE_PLAN
from tests.stack import RunningPlatform, poll


def truth(mongo: MongoClient[dict[str, Any]]) -> dict[str, int]:
    """Published action id -> its public version, as submissions holds it."""
    return {
        d["_id"]: d["public"]["version"]
        for d in mongo["htk_submissions"]["actions"].find(
            {"public": {"$ne": None}}, {"public.version": 1}
        )
    }


def search_index(p: RunningPlatform) -> Counter[tuple[str, int]]:
    """(action id, version) of every document the search index returns, with repeats."""
    found: Counter[tuple[str, int]] = Counter()
    cursor: str | None = None
    with p.client("search") as search:
        while True:
            params: dict[str, Any] = {"sort": "date", "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = search.get("/search", params=params)
            page.raise_for_status()
            body = page.json()
            found.update((h["action_id"], h["version"]) for h in body["items"])
            cursor = body.get("next_cursor")
            if not cursor or not body["items"]:
                return found


def reporting_actions(p: RunningPlatform) -> Counter[tuple[str, int]]:
    """(action id, version) of every action behind reporting's whole-plan figure."""
    found: Counter[tuple[str, int]] = Counter()
    with p.client("reporting") as reporting:
        params = {"node": WHOLE_PLAN, "scope": ALL, "limit": 200}
        while True:
            answer = reporting.get("/coverage/actions", params=params)
            answer.raise_for_status()
            body = answer.json()
            found.update((r["action_id"], r["version"]) for r in body["items"])
            if not body["next_cursor"]:
                return found
            params["cursor"] = body["next_cursor"]


def differences(p: RunningPlatform) -> list[str]:
    """Where a projection disagrees with its source of truth; empty when all reconcile."""
    out: list[str] = []
    with MongoClient(p.mongo_uri, tz_aware=True) as mongo:
        published = truth(mongo)
        expected = Counter(published.items())
        try:
            views = {"search index": search_index(p), "reporting": reporting_actions(p)}
        except httpx.HTTPError as exc:
            return [f"a projection did not answer: {exc!r}"]
        for name, held in views.items():
            if held != expected:
                missing = sorted((expected - held).elements())[:5]
                extra = sorted((held - expected).elements())[:5]
                out.append(f"{name}: missing {missing}, not in submissions or repeated {extra}")
        out += _reporting_cells(mongo, published)
        out += _search_copies(mongo, published)
        out += _gateway_changes(mongo, published)
        out += _catalogue_copies(mongo)
    return out


def _reporting_cells(mongo: MongoClient[dict[str, Any]], published: dict[str, int]) -> list[str]:
    """The counts themselves: the whole plan and each measure, nationwide."""
    expected: Counter[str] = Counter({cell_id(WHOLE_PLAN, ALL): len(published)})
    for action in mongo["htk_submissions"]["actions"].find(
        {"_id": {"$in": list(published)}}, {"public.measures": 1}
    ):
        expected.update(cell_id(m, ALL) for m in set(action["public"]["measures"]))
    reporting = mongo["htk_reporting"]
    live = store.generation_of(reporting[store.AGGREGATES].find_one({"_id": "current"}))
    cells = reporting[live.cells]
    held = {d["_id"]: d.get("actions", 0) for d in cells.find({"_id": {"$in": sorted(expected)}})}
    wrong = {c: (held.get(c, 0), n) for c, n in expected.items() if held.get(c, 0) != n}
    return [f"reporting cells (held, expected): {wrong}"] if wrong else []


def _search_copies(mongo: MongoClient[dict[str, Any]], published: dict[str, int]) -> list[str]:
    held = {
        d["_id"]: d["version"]
        for d in mongo["htk_search"]["actions"].find({"action": {"$ne": None}}, {"version": 1})
    }
    return [] if held == published else [_diff("search read copy", published, held)]


def _gateway_changes(mongo: MongoClient[dict[str, Any]], published: dict[str, int]) -> list[str]:
    """The gateway keeps every public change for the digests of who follows it."""
    wanted = {f"{a}:{v}" for a, v in published.items()}
    changes = mongo["htk_gateway"]["follow_changes"]
    held = {d["_id"] for d in changes.find({"_id": {"$in": sorted(wanted)}}, {"_id": 1})}
    return [f"gateway changes missing: {sorted(wanted - held)[:5]}"] if wanted - held else []


def _catalogue_copies(mongo: MongoClient[dict[str, Any]]) -> list[str]:
    catalogue = mongo["htk_catalogue"]
    organisations = _versions(catalogue["organisations"])
    members = _versions(catalogue["members"])
    plan = max((d["_id"] for d in catalogue["plan_versions"].find({}, {"_id": 1})), default=0)
    copies = {
        "submissions organisations": (
            _versions(mongo["htk_submissions"]["organisation_copies"]),
            organisations,
        ),
        "search organisations": (_versions(mongo["htk_search"]["organisations"]), organisations),
        "reporting organisations": (
            _versions(mongo["htk_reporting"]["organisations"]),
            organisations,
        ),
        "submissions members": (_versions(mongo["htk_submissions"]["member_copies"]), members),
        "gateway members": (_versions(mongo["htk_gateway"]["member_copies"]), members),
    }
    out = [_diff(name, want, held) for name, (held, want) in copies.items() if held != want]
    plans = {
        "submissions": (mongo["htk_submissions"]["plan_copy"].find_one() or {}).get("version"),
        "search": (mongo["htk_search"]["plan"].find_one() or {}).get("version"),
        "reporting": (mongo["htk_reporting"]["plan"].find_one() or {}).get("version"),
    }
    out += [f"{name} plan version {v}, catalogue {plan}" for name, v in plans.items() if v != plan]
    return out


def _versions(collection: Any) -> dict[Any, int]:
    return {d["_id"]: d["version"] for d in collection.find({}, {"version": 1})}


def _diff(name: str, want: dict[Any, int], held: dict[Any, int]) -> str:
    wrong = {k: (held.get(k), v) for k, v in want.items() if held.get(k) != v}
    extra = sorted(set(held) - set(want))
    return f"{name} (held, source): {dict(list(wrong.items())[:5])}; unknown to source: {extra[:5]}"


def assert_reconciled(p: RunningPlatform, timeout: float = 60.0) -> None:
    """Poll until every projection equals its source of truth; fail with what still differs."""
    last: list[str] = []

    def agreed() -> bool:
        nonlocal last
        last = differences(p)
        return not last

    try:
        poll(agreed, timeout=timeout, interval=0.5)
    except AssertionError:
        raise AssertionError("projections differ from their source:\n" + "\n".join(last)) from None
