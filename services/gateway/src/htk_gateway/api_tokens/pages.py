"""Where an organisation's admins make, list and revoke its API tokens (coordinators may too,
as on the organisation's other admin pages).

A new token's secret is shown once and kept nowhere on the platform: the form's answer is a
redirect (so reloading the page makes no second token) that hands the secret to the admin's
browser in a short-lived cookie limited to the token page, which shows it and deletes it. It is
never in an address, the database or a log."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.api_tokens.store import Scope, status
from htk_gateway.web import reference
from htk_gateway.web.calls import read
from htk_gateway.web.deps import api_tokens
from htk_gateway.web.guards import (
    ADMIN_WRITE,
    ORGANISATION_ADMIN,
    Form,
    OrganisationAdmin,
    Reader,
)
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer, secure_cookies
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

# How long a new token works, in days; the first is the default. A token that never expires
# is not offered: a forgotten integration's token should die on its own.
VALID_DAYS = (90, 30, 365)
NAME_LENGTH = 100
SHOW_ONCE_COOKIE = "htk_new_token"
SHOW_ONCE_SECONDS = 300


def _base(organisation_id: str) -> str:
    return f"/my/organisations/{organisation_id}/api-tokens"


async def _page(
    request: Request,
    v: Viewer,
    user: User,
    organisation_id: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    made: dict[str, Any] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    org = await read(request, user, "catalogue", f"/organisations/{organisation_id}")
    if not isinstance(org, dict):
        raise DomainError(404, "No such organisation")
    tokens = await api_tokens(request).of(organisation_id)
    # Named from the members' read copy rather than a copy kept here, so that an erased
    # member's name goes with them.
    names = await reference.member_names(request, [t.get("created_by") for t in tokens])
    return render(
        v,
        "api_tokens.html",
        status_code=status_code,
        org=org,
        tokens=[
            {**t, "status": status(t), "created_by_name": names.get(str(t.get("created_by")))}
            for t in tokens
        ],
        form=form or {"scope": Scope.READ.value, "valid_days": str(VALID_DAYS[0])},
        errors=errors or {},
        made=made,
        done=done if done and v.t.has(f"done.{done}") else None,
        valid_days=VALID_DAYS,
        scopes=[s.value for s in Scope],
    )


@router.get("/my/organisations/{organisation_id}/api-tokens", response_class=HTMLResponse)
async def tokens_page(
    organisation_id: str,
    request: Request,
    v: Reader,
    user: OrganisationAdmin,
    done: str | None = None,
    made: str | None = None,
) -> Response:
    shown = None
    secret = request.cookies.get(SHOW_ONCE_COOKIE)
    if made and secret:
        token = await api_tokens(request).find(secret)
        if token and token["_id"] == made and token["organisation_id"] == organisation_id:
            shown = {"name": token["name"], "secret": secret}
    response = await _page(request, v, user, organisation_id, done=done, made=shown)
    if secret:
        response.delete_cookie(SHOW_ONCE_COOKIE, path=_base(organisation_id))
    return response


def _check(v: Viewer, form: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = str(form.get("name") or "").strip()
    if not name or len(name) > NAME_LENGTH:
        errors["name"] = v.t("apitokens.err.name")
    if form.get("scope") not in {s.value for s in Scope}:
        errors["scope"] = v.t("apitokens.err.scope")
    if form.get("valid_days") not in {str(d) for d in VALID_DAYS}:
        errors["valid_days"] = v.t("apitokens.err.valid_days")
    return errors


@router.post(
    "/my/organisations/{organisation_id}/api-tokens",
    response_class=HTMLResponse,
    dependencies=[ADMIN_WRITE],
)
async def make_token(
    organisation_id: str, request: Request, form: Form, v: Reader, user: OrganisationAdmin
) -> Response:
    form = {k: str(form.get(k) or "").strip() for k in ("name", "scope", "valid_days")}
    errors = _check(v, form)
    if errors:
        return await _page(
            request, v, user, organisation_id, form=form, errors=errors, status_code=422
        )
    made = await api_tokens(request).make(
        organisation_id,
        form["name"],
        Scope(form["scope"]),
        timedelta(days=int(form["valid_days"])),
        created_by=user.member_id,
    )
    response = redirect(v, f"{_base(organisation_id)}?made={made.id}")
    response.set_cookie(
        SHOW_ONCE_COOKIE,
        made.secret,
        max_age=SHOW_ONCE_SECONDS,
        path=_base(organisation_id),
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    return response


async def _token(request: Request, organisation_id: str, token_id: str) -> dict[str, Any]:
    token = await api_tokens(request).get(organisation_id, token_id)
    if token is None:
        raise DomainError(404, "No such API token in this organisation")
    return token


@router.get(
    "/my/organisations/{organisation_id}/api-tokens/{token_id}/revoke",
    response_class=HTMLResponse,
    dependencies=[ORGANISATION_ADMIN],
)
async def revoke_page(organisation_id: str, token_id: str, request: Request, v: Reader) -> Response:
    """Asks first: systems that use the token stop working at once."""
    token = await _token(request, organisation_id, token_id)
    return render(v, "api_token_revoke.html", token={**token, "status": status(token)})


@router.post(
    "/my/organisations/{organisation_id}/api-tokens/{token_id}/revoke",
    response_class=HTMLResponse,
    dependencies=[ADMIN_WRITE],
)
async def revoke(
    organisation_id: str, token_id: str, request: Request, v: Reader, user: OrganisationAdmin
) -> Response:
    await _token(request, organisation_id, token_id)
    await api_tokens(request).revoke(organisation_id, token_id, user.member_id)
    return redirect(v, f"{_base(organisation_id)}?done=api_token_revoked")
