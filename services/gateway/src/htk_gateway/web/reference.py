"""What pages show beside the actions: the plan tree, organisations and places, read from the
catalogue and kept for a moment, since every form and listing needs them."""

import time
from typing import Any

from fastapi import Request

from htk_gateway.web.calls import read
from htk_gateway.web.listing import read_all

TTL_SECONDS = 20.0
_cache: dict[tuple[int, str], tuple[float, Any]] = {}


async def _cached(
    request: Request,
    path: str,
    ttl: float = TTL_SECONDS,
    params: dict[str, Any] | None = None,
    every_page: bool = False,
) -> Any:
    key = (id(request.app), path + repr(sorted((params or {}).items())))
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    value = (
        await read_all(request, None, "catalogue", path, params=params)
        if every_page
        else await read(request, None, "catalogue", path, params=params)
    )
    if value is not None:
        _cache[key] = (time.monotonic(), value)
    return value


def forget() -> None:
    _cache.clear()


async def plan(request: Request) -> dict[str, Any]:
    """``{"version", "example", "priorities": [{code, name, children: [...]}]}``."""
    found = await _cached(request, "/plan")
    return found if isinstance(found, dict) else {"priorities": []}


def plan_nodes(tree: dict[str, Any]) -> dict[str, dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any]) -> None:
        nodes[node["code"]] = node
        for child in node.get("children", []):
            walk(child)

    for priority in tree.get("priorities", []):
        walk(priority)
    return nodes


def active_measures(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        n
        for n in plan_nodes(tree).values()
        if n.get("level") == "measure" and n.get("state", "active") == "active"
    ]


async def counties(request: Request) -> list[dict[str, Any]]:
    found = await _cached(request, "/geography/counties", ttl=3600, every_page=True)
    return sorted(found or [], key=lambda c: c.get("name_fi", ""))


async def municipalities(request: Request) -> list[dict[str, Any]]:
    found = await _cached(request, "/geography/municipalities", ttl=3600, every_page=True)
    return sorted(found or [], key=lambda m: m.get("name_fi", ""))


async def place_names(request: Request) -> dict[str, dict[str, Any]]:
    """County and municipality codes to their names (counties are two digits, municipalities
    three, so one map serves both)."""
    return {p["code"]: p for p in [*await counties(request), *await municipalities(request)]}


async def organisations(request: Request) -> list[dict[str, Any]]:
    """Approved organisations, by Finnish name."""
    found = await _cached(request, "/organisations", every_page=True)
    return sorted(found or [], key=lambda o: o.get("name_fi", ""))


async def organisation_names(request: Request) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in await organisations(request) if "id" in o}


async def member_names(request: Request, ids: Any) -> dict[str, str]:
    """Names of members by id from the gateway's own read copy, for "who" columns; an erased or
    unknown member has no entry and the page says so in its own words."""
    from htk_gateway.web.deps import members as member_copies

    members = member_copies(request)
    names: dict[str, str] = {}
    for member_id in {str(i) for i in ids if i}:
        found = await members.get(member_id)
        if found and found.get("name"):
            names[member_id] = str(found["name"])
    return names
