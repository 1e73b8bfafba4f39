"""The follows page (what a member follows, follow and stop) and the digest's one-click
unsubscribe link."""

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.follows.digest import unsubscribe_signature
from htk_gateway.follows.store import Kind
from htk_gateway.web import reference
from htk_gateway.web.deps import FollowsDep, SettingsDep
from htk_gateway.web.guards import MEMBER_WRITE, Form, Reader, SignedIn
from htk_gateway.web.render import redirect, render
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
async def follows_page(
    request: Request, v: Reader, user: SignedIn, follows: FollowsDep, done: str | None = None
) -> Response:
    places = await reference.place_names(request)
    orgs = await reference.organisation_names(request)
    nodes = reference.plan_nodes(await reference.plan(request))
    rows = []
    for f in await follows.of(user.member_id):
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


@router.post("/my/follows", response_class=HTMLResponse, dependencies=[MEMBER_WRITE])
async def change_follow(form: Form, v: Reader, user: SignedIn, follows: FollowsDep) -> Response:
    try:
        kind = Kind(str(form.get("kind", "")))
    except ValueError as exc:
        raise DomainError(422, "Unknown kind of follow", field="kind") from exc
    target = str(form.get("target", "")).strip()[:64]
    if not target:
        raise DomainError(422, "Nothing to follow", field="target")
    if form.get("stop") == "true":
        await follows.stop(user.member_id, kind, target)
        return redirect(v, "/my/follows?done=unfollowed")
    await follows.follow(user.member_id, kind, target)
    return redirect(v, "/my/follows?done=followed")


@router.get("/follows/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(
    v: Reader, settings: SettingsDep, follows: FollowsDep, member: str = "", sig: str = ""
) -> Response:
    signature = unsubscribe_signature(settings.gateway_secret, member)
    if not member or not hmac.compare_digest(signature, sig):
        raise DomainError(403, "This unsubscribe link is not valid", field="sig")
    await follows.stop_all(member)
    return render(v, "unsubscribed.html")
