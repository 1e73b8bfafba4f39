"""A member's own account: which mail they get and when, downloading everything the platform
holds about them (JSON and a readable page), and erasing it, after reading what erasure does.
Also the one-click unsubscribe link in every notification mail, and the coordinators' "send the
digests now"."""

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from htk_gateway.api.schemas import Erased, MyData
from htk_gateway.auth import csrf
from htk_gateway.auth.identity import current_user
from htk_gateway.auth.ratelimit import email_key
from htk_gateway.notify.delivery import ALL, unsubscribe_signature
from htk_gateway.notify.kinds import Delivery, kind_names
from htk_gateway.web.calls import call, read
from htk_gateway.web.deps import (
    MembersDep,
    NotifierDep,
    SettingsDep,
    follows,
    members,
    notifier,
    rate_limiter,
    sessions,
)
from htk_gateway.web.guards import (
    COORDINATOR,
    CSRF_CHECKED,
    MEMBER_WRITE,
    SIGNED_IN,
    Form,
    Reader,
    SignedIn,
)
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError, error_answers

router = APIRouter()


def _done(v: Viewer, done: str | None) -> str | None:
    return done if done and v.t.has(f"done.{done}") else None


@router.get("/my/account", response_class=HTMLResponse, include_in_schema=False)
async def account_page(
    v: Reader,
    user: SignedIn,
    members: MembersDep,
    notifier: NotifierDep,
    done: str | None = None,
) -> Response:
    return render(
        v,
        "account.html",
        member=await members.get(user.member_id) or {},
        choices=await notifier.choices(user.member_id),
        deliveries=[d.value for d in Delivery],
        done=_done(v, done),
    )


def _choices_from(form: dict[str, Any]) -> dict[str, str]:
    choices = {}
    for name in kind_names():
        value = str(form.get(f"kind.{name}", ""))
        if value not in {d.value for d in Delivery}:
            raise DomainError(422, "Choose immediately, digest or never", field=f"kind.{name}")
        choices[name] = value
    return choices


@router.post(
    "/my/account/notifications",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[MEMBER_WRITE],
)
async def choose_notifications(
    form: Form, v: Reader, user: SignedIn, notifier: NotifierDep
) -> Response:
    await notifier.store.choose(user.member_id, _choices_from(form))
    return redirect(v, "/my/account?done=notifications_saved#notifications")


@router.get("/notifications/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe(
    v: Reader,
    settings: SettingsDep,
    notifier: NotifierDep,
    member: str = "",
    kind: str = "",
    sig: str = "",
) -> Response:
    """One click from a mail, signed in or not: the signature proves the link was ours."""
    secret = settings.gateway_secret
    if kind != ALL and kind not in kind_names():
        raise DomainError(422, "Unknown kind of notification", field="kind")
    expected = unsubscribe_signature(secret, member, kind)
    if not member or not hmac.compare_digest(expected, sig):
        raise DomainError(403, "This unsubscribe link is not valid", field="sig")
    await notifier.unsubscribe(member, kind)
    return render(v, "notifications_unsubscribed.html", kind=kind)


@router.post(
    "/coordinator/notifications/digest",
    include_in_schema=False,
    dependencies=[CSRF_CHECKED, COORDINATOR],
)
async def send_digests_now(v: Reader, notifier: NotifierDep) -> Response:
    """For testing and operations: every waiting digest goes out now."""
    await notifier.send_digests(force=True)
    return redirect(v, "/coordinator?done=digests_sent")


# Personal data.


async def collect(request: Request, user: User) -> dict[str, Any]:
    """Everything held about the member: the catalogue's record, what submissions keeps
    (actions they wrote, steps they took, actions they are the contact of) and the gateway's
    own (follows, notification choices and the notifications sent)."""
    return {
        "member_id": user.member_id,
        "catalogue": await read(request, user, "catalogue", "/members/me/export"),
        "submissions": await read(request, user, "submissions", "/members/me/data"),
        "gateway": {
            "follows": [
                {k: f.get(k) for k in ("kind", "target", "since")}
                for f in await follows(request).of(user.member_id)
            ],
            **await notifier(request).store.of_member(user.member_id),
        },
    }


@router.get("/my/account/data.json", include_in_schema=False)
async def data_json(request: Request, user: SignedIn) -> Response:
    data = jsonable_encoder(await collect(request, user))
    return JSONResponse(
        data,
        headers={
            "Content-Disposition": f'attachment; filename="htk-{user.member_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/my/account/data", response_class=HTMLResponse, include_in_schema=False)
async def data_page(request: Request, v: Reader, user: SignedIn) -> Response:
    return render(v, "account_data.html", data=jsonable_encoder(await collect(request, user)))


@router.get(
    "/my/account/erase",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[SIGNED_IN],
)
async def erase_page(v: Reader) -> Response:
    return render(v, "account_erase.html", errors={})


async def forget_here(request: Request, member_id: str) -> None:
    """The gateway's own copies, at once (the erasure event does it again on every replica)."""
    member = await members(request).get(member_id)
    if member and member.get("email"):
        await rate_limiter(request).forget(email_key(member["email"]))
    await sessions(request).end_all(member_id)
    await follows(request).stop_all(member_id)
    await notifier(request).store.forget(member_id)


async def erase(request: Request, user: User) -> None:
    answer = await call(request, user, "catalogue", "POST", "/members/me/erasure")
    if answer.status_code != 200:
        raise DomainError(503 if answer.status_code >= 500 else answer.status_code, "Not erased")
    await forget_here(request, user.member_id)


@router.post("/my/account/erase", response_class=HTMLResponse, include_in_schema=False)
async def erase_account(request: Request, form: Form, v: Reader, user: SignedIn) -> Response:
    if form.get("confirm") != "true":
        errors = {"confirm": v.t("account.erase_confirm_missing")}
        return render(v, "account_erase.html", status_code=422, errors=errors)
    await erase(request, user)
    response = RedirectResponse(f"/account/erased?lang={v.lang}", status_code=303)
    response.delete_cookie(csrf.SESSION_COOKIE)
    return response


@router.get("/account/erased", response_class=HTMLResponse, include_in_schema=False)
async def erased_page(v: Reader) -> Response:
    return render(v, "account_erased.html")


# The same through the public API.


class NotificationChoices(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, Delivery]


async def _api_user(request: Request) -> User:
    user = await current_user(request)
    if user is None:
        raise DomainError(401, "Sign in to do this")
    return user


ApiUser = Annotated[User, Depends(_api_user)]


@router.get("/api/v1/me/data", tags=["me"], response_model=MyData, responses=error_answers(401))
async def api_data(request: Request, user: ApiUser) -> JSONResponse:
    """Everything the platform holds about you (the same as the JSON download)."""
    return JSONResponse(jsonable_encoder(await collect(request, user)))


@router.get("/api/v1/me/notifications", tags=["me"], responses=error_answers(401))
async def api_notifications(user: ApiUser, notifier: NotifierDep) -> NotificationChoices:
    """How each kind of notification reaches you: immediately, in the daily digest, or never."""
    return NotificationChoices.model_validate({"kinds": await notifier.choices(user.member_id)})


async def _api_writer(request: Request, user: ApiUser) -> User:
    """A signed-in caller with the CSRF token, checked before the body is read."""
    csrf.check(request, request.headers.get(csrf.HEADER))
    return user


@router.put("/api/v1/me/notifications", tags=["me"], responses=error_answers(401, 403))
async def api_choose(
    user: Annotated[User, Depends(_api_writer)],
    body: Annotated[NotificationChoices, Body()],
    notifier: NotifierDep,
) -> NotificationChoices:
    unknown = sorted(set(body.kinds) - set(kind_names()))
    if unknown:
        raise DomainError(422, f"Unknown kind of notification: {unknown[0]}", field="kinds")
    await notifier.store.choose(user.member_id, {k: v.value for k, v in body.kinds.items()})
    return NotificationChoices.model_validate({"kinds": await notifier.choices(user.member_id)})


class ErasureConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: bool = Field(
        description="true: you have read what erasure does (GET /my/account/erase) and want it"
    )


@router.post(
    "/api/v1/me/erasure", tags=["me"], response_model=Erased, responses=error_answers(401, 403)
)
async def api_erase(
    request: Request,
    user: Annotated[User, Depends(_api_writer)],
    body: Annotated[ErasureConfirmation, Body()],
) -> dict[str, Any]:
    """Erase your personal data in every service. Your organisation's actions stay, without
    you as their contact. This cannot be undone, so the body must say ``{"confirm": true}``."""
    if not body.confirm:
        raise DomainError(422, "Confirm the erasure with confirm: true", field="confirm")
    await erase(request, user)
    return {"member_id": user.member_id, "erased": True}
