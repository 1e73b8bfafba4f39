"""Joining and signing in by email link.

The answer to a link request is the same whether or not the address is registered, so nobody
can find out who is a member. A registration with an address already in use sends a login link
to that address instead.
"""

import logging
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from htk_contracts.catalogue import OrganisationType
from htk_gateway.api.schemas import Me, Sent
from htk_gateway.auth import csrf
from htk_gateway.auth.identity import current_user
from htk_gateway.auth.ratelimit import email_key
from htk_gateway.web import return_to
from htk_gateway.web.calls import service_headers
from htk_gateway.web.client_address import client_address
from htk_gateway.web.deps import (
    LoginLinksDep,
    MembersDep,
    SessionsDep,
    SettingsDep,
    gateway_settings,
    link_mail,
    members,
    rate_limiter,
    upstreams,
)
from htk_gateway.web.guards import CSRF_CHECKED, Reader
from htk_gateway.web.render import render
from htk_runtime.auth import HEADER, User, sign
from htk_runtime.errors import DomainError, error_answers

log = logging.getLogger(__name__)

router = APIRouter(tags=["auth"])

# How long a sign-in waits for a just-joined member's copy from catalogue.members.v1.
MEMBER_COPY_WAIT_SECONDS = 10.0

SENT = {
    "message": "If the address can sign in, a link is on its way. It works once, for 15 minutes."
}


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class NewOrganisation(BaseModel):
    model_config = ConfigDict(extra="allow")

    name_fi: str = Field(min_length=2, max_length=200)
    type: OrganisationType = OrganisationType.OTHER


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200)
    email: EmailStr
    language: Literal["fi", "sv", "en"] = "fi"
    organisation_id: str | None = Field(default=None, max_length=64)
    new_organisation: NewOrganisation | None = None
    accept_privacy_notice: bool

    def check(self) -> None:
        if not self.accept_privacy_notice:
            raise DomainError(
                422, "Accept the privacy notice to join", field="accept_privacy_notice"
            )
        if (self.organisation_id is None) == (self.new_organisation is None):
            raise DomainError(
                422, "Choose an organisation or propose a new one", field="organisation_id"
            )


async def _limit_link_requests(request: Request, email: str) -> None:
    settings = gateway_settings(request)
    limiter = rate_limiter(request)
    await limiter.hit(f"link-ip:{client_address(request)}", settings.link_requests_per_ip, 900)
    await limiter.hit(email_key(email), settings.link_requests_per_email, 900)


def send_link(request: Request, member: dict[str, Any]) -> None:
    """Queue a login link for ``member``: made and mailed off the request path (link_mail.py),
    so the answer takes as long whether or not anything is sent."""
    link_mail(request).enqueue(member)


@router.post(
    "/api/v1/auth/login-link",
    status_code=202,
    tags=["auth"],
    response_model=Sent,
    responses=error_answers(429),
)
async def request_login_link(body: LinkRequest, request: Request) -> dict[str, str]:
    await _limit_link_requests(request, body.email)
    member = await members(request).by_email(body.email)
    if member is not None:
        send_link(request, member)
    return SENT


async def join(request: Request, body: Registration) -> None:
    """Register through the catalogue and mail a link; an address in use gets a login link.

    Other refusals (an unknown organisation, a duplicate organisation name) are raised for the
    form to show; the catalogue makes them before it looks at the address, so they come out
    the same for a member's address and a stranger's, and the address in use is answered
    exactly as a new registration is.
    """
    body.check()
    await _limit_link_requests(request, body.email)
    payload = body.model_dump(mode="json", exclude={"accept_privacy_notice"}, exclude_none=True)
    answer = await upstreams(request).call(
        "catalogue", "POST", "/registrations", json=payload,
        headers=service_headers(request, "catalogue"),
    )  # fmt: skip
    if answer.status_code in (200, 201):
        created = answer.json()
        member_id = (created.get("member") or {}).get("id") or created.get("member_id")
        send_link(request, {"_id": member_id, "email": body.email, "language": body.language})
    elif _email_in_use(answer):
        existing = await members(request).by_email(body.email)
        if existing is not None:
            send_link(request, existing)
    else:
        try:
            refusal = answer.json()
        except ValueError:
            refusal = {}
        errors = refusal.get("errors") or []
        raise DomainError(
            answer.status_code if answer.status_code < 500 else 503,
            str(refusal.get("message") or "The registration was refused"),
            errors=errors,
        )


@router.post(
    "/api/v1/auth/register",
    status_code=202,
    tags=["auth"],
    response_model=Sent,
    responses=error_answers(404, 409, 429),
)
async def register(body: Registration, request: Request) -> dict[str, str]:
    await join(request, body)
    return SENT


def _email_in_use(answer: Any) -> bool:
    if answer.status_code not in (409, 422):
        return False
    try:
        errors = answer.json().get("errors", [])
    except ValueError:
        return False
    return any(e.get("field") == "email" for e in errors)


@router.get("/api/v1/me", tags=["me"], response_model=Me, responses=error_answers(401))
async def me(request: Request, copies: MembersDep, settings: SettingsDep) -> dict[str, Any]:
    """Who the session belongs to, with approved and pending memberships."""
    user = await current_user(request)
    if user is None:
        raise DomainError(401, "Not signed in")
    member = await copies.get(user.member_id) or {}
    return {
        "member_id": user.member_id,
        "name": member.get("name"),
        "language": user.language,
        "coordinator": user.coordinator,
        "organisations": user.organisations,
        "pending_organisations": member.get("pending", []),
        "csrf_token": csrf.token_for(
            settings.gateway_secret,
            request.cookies.get(csrf.SESSION_COOKIE, ""),
        ),
    }


@router.get("/auth/link/{secret}", response_class=HTMLResponse, include_in_schema=False)
async def confirm_link_page(secret: str, v: Reader) -> Response:
    # Following the link only shows a button: mail scanners that open links must not use up
    # the single-use link.
    response = render(v, "confirm_link.html")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# The CSRF check binds the post to this browser's pre-session cookie, which the link's page
# set: a post from another site (which sends no cookie, or one it cannot compute the token
# for) must not sign the visitor into the account of whoever's link it is (login CSRF).
@router.post("/auth/link/{secret}", include_in_schema=False, dependencies=[CSRF_CHECKED])
async def use_link(
    secret: str,
    request: Request,
    links: LoginLinksDep,
    copies: MembersDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> Response:
    member_id = await links.use(secret)
    if member_id is None:
        raise DomainError(
            410, "This link has expired or was already used. Ask for a new one.", field="link"
        )
    if not await copies.arrived(member_id, within=MEMBER_COPY_WAIT_SECONDS):
        # The link is used and the session starts anyway: the copy is on its way, and the
        # welcome page asks the person to reload rather than to ask for another link.
        log.warning("member copy not yet here at sign-in", extra={"member_id": member_id})
    old = request.cookies.get(csrf.SESSION_COOKIE)
    if old:
        await sessions.end(old)
    new = await sessions.start(member_id)
    await _confirm_address(request, member_id)
    response = RedirectResponse("/welcome", status_code=303)
    response.headers["location"] = return_to.destination(request, response)
    response.set_cookie(
        csrf.SESSION_COOKIE,
        new,
        httponly=True,
        samesite="lax",
        secure=settings.environment != "development",
        max_age=int(timedelta(hours=settings.session_ttl_hours).total_seconds()),
    )
    response.delete_cookie(csrf.PRE_SESSION_COOKIE)
    return response


async def _confirm_address(request: Request, member_id: str) -> None:
    """Tell the catalogue the person followed a link mailed to them, so their registration
    does not lapse and their requests reach whoever decides. Every sign-in repeats it (the
    catalogue ignores repeats), so a catalogue that was down at the first one is told later."""
    settings = gateway_settings(request)
    token = sign(User(member_id=member_id), settings.token_private_key, 60, audience=["catalogue"])
    try:
        answer = await upstreams(request).call(
            "catalogue", "POST", "/members/me/confirmation", headers={HEADER: token}
        )
        if answer.status_code != 200:
            log.warning("address not confirmed", extra={"status": answer.status_code})
    except DomainError as exc:
        log.warning("address not confirmed", extra={"error": exc.message})


@router.post("/auth/logout", include_in_schema=False)
async def logout(
    request: Request,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form(alias="csrf")] = "",
    everywhere: Annotated[bool, Form()] = False,
) -> Response:
    # Without a cookie there is no session to end and no token to expect.
    csrf.check(request, csrf_token)
    secret = request.cookies.get(csrf.SESSION_COOKIE)
    if secret:
        member_id = await sessions.member_of(secret)
        if everywhere and member_id:
            await sessions.end_all(member_id)
        else:
            await sessions.end(secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(csrf.SESSION_COOKIE)
    return response
