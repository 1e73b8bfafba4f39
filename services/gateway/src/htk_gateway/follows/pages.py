"""The follows page (what a member follows, follow and stop) and the digest's one-click
unsubscribe link."""

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.auth.ratelimit import limit_writes
from htk_gateway.follows.digest import unsubscribe_signature
from htk_gateway.follows.store import Follows, Kind
from htk_gateway.web import reference
from htk_gateway.web.forms import form_data
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import state, viewer
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)


def _target_url(kind: str, target: str) -> str:
    return {
        "action": f"/actions/{target}",
        "organisation": f"/organisations/{target}",
        "measure": f"/plan#node-{target}",
        "region": f"/search?{'county' if len(target) == 2 else 'municipality'}={target}",
    }[kind]


@router.get("/my/follows", response_class=HTMLResponse)
async def follows_page(request: Request, done: str | None = None) -> Response:
    v = await viewer(request)
    if v.user is None:
        raise DomainError(401, "Sign in to do this")
    follows: Follows = state(request)["follows"]
    places = await reference.place_names(request)
    orgs = await reference.organisation_names(request)
    nodes = reference.plan_nodes(await reference.plan(request))
    rows = []
    for f in await follows.of(v.user.member_id):
        kind, target = f["kind"], f["target"]
        label = {
            "region": v.t.name(places.get(target)),
            "organisation": v.t.name(orgs.get(target)),
            "measure": f"{target} {v.t.name((nodes.get(target) or {}).get('name'))}",
        }.get(kind) or target
        rows.append(
            {"kind": kind, "target": target, "label": label, "url": _target_url(kind, target)}
        )
    return render(
        v,
        "follows.html",
        follows=rows,
        done=done if done and v.t.has(f"done.{done}") else None,
        counties=await reference.counties(request),
        municipalities=await reference.municipalities(request),
    )


@router.post("/my/follows", response_class=HTMLResponse)
async def change_follow(request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    if v.user is None:
        raise DomainError(401, "Sign in to do this")
    await limit_writes(request, v.user)
    try:
        kind = Kind(str(form.get("kind", "")))
    except ValueError as exc:
        raise DomainError(422, "Unknown kind of follow", field="kind") from exc
    target = str(form.get("target", "")).strip()[:64]
    if not target:
        raise DomainError(422, "Nothing to follow", field="target")
    follows: Follows = state(request)["follows"]
    if form.get("stop") == "true":
        await follows.stop(v.user.member_id, kind, target)
        return redirect(v, "/my/follows?done=unfollowed")
    await follows.follow(v.user.member_id, kind, target)
    return redirect(v, "/my/follows?done=followed")


@router.get("/follows/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(request: Request, member: str = "", sig: str = "") -> Response:
    secret = request.app.state.service.settings.gateway_secret
    if not member or not hmac.compare_digest(unsubscribe_signature(secret, member), sig):
        raise DomainError(403, "This unsubscribe link is not valid", field="sig")
    follows: Follows = state(request)["follows"]
    await follows.stop_all(member)
    return render(await viewer(request), "unsubscribed.html")
