"""The joining and login forms. Both answer the same way whether or not the address is
registered; the link arrives by mail."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from htk_contracts.catalogue import OrganisationType
from htk_gateway.auth.csrf import SESSION_COOKIE
from htk_gateway.auth.login import LinkRequest, Registration, join, request_login_link
from htk_gateway.web import reference
from htk_gateway.web.deps import MembersDep, SessionsDep, gateway_settings
from htk_gateway.web.forms import translate_errors
from htk_gateway.web.guards import (
    Form,
    Reader,
)
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.errors import DomainError, validation_errors

router = APIRouter(include_in_schema=False)

# The catalogue names the fields of a proposed organisation as ``new_organisation.<field>``;
# the form has one input for each (the home municipality or county is one select).
NEW_ORGANISATION_FIELDS = {
    "new_organisation": "new_organisation_name",
    "new_organisation.name_fi": "new_organisation_name",
    "new_organisation.name_sv": "new_organisation_name_sv",
    "new_organisation.type": "new_organisation_type",
    "new_organisation.business_id": "business_id",
    "new_organisation.municipality": "home",
    "new_organisation.county": "home",
    "new_organisation.website": "website",
}


async def _join_form(
    request: Request,
    v: Viewer,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    duplicate: dict[str, str] | None = None,
) -> Response:
    return render(
        v,
        "join.html",
        status_code=status,
        form=form,
        errors=errors,
        duplicate=duplicate,
        organisations=await reference.organisations(request),
        organisation_types=[t.value for t in OrganisationType],
        counties=await reference.counties(request),
        municipalities=await reference.municipalities(request),
    )


@router.get("/join", response_class=HTMLResponse)
async def join_page(request: Request, v: Reader) -> Response:
    return await _join_form(request, v, {}, {})


def _dev_hint(request: Request) -> str | None:
    s = gateway_settings(request)
    if s.environment == "development" and not s.smtp_host:
        return str(s.mail_dir)
    return None


def _text(form: dict[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip()


def new_organisation(form: dict[str, Any]) -> dict[str, Any]:
    """The proposed organisation as the catalogue takes it; empty optional fields left out."""
    proposal: dict[str, Any] = {
        "name_fi": _text(form, "new_organisation_name"),
        "type": _text(form, "new_organisation_type") or "other",
    }
    if _text(form, "new_organisation_name_sv"):
        proposal["name_sv"] = _text(form, "new_organisation_name_sv")
    if _text(form, "business_id"):
        proposal["business_id"] = _text(form, "business_id")
    kind, _, code = _text(form, "home").partition(":")
    if kind in ("municipality", "county") and code:
        proposal[kind] = code
    website = _text(form, "website")
    if website:
        # People write "kyla.fi"; the catalogue keeps full addresses.
        proposal["website"] = website if "://" in website else f"https://{website}"
    return proposal


def form_errors(v: Any, errors: list[dict[str, Any]]) -> dict[str, str]:
    renamed = [
        {**e, "field": NEW_ORGANISATION_FIELDS.get(str(e.get("field") or ""), e.get("field"))}
        for e in errors
    ]
    return translate_errors(v.t, renamed, prefix="join")


def duplicate_of(v: Any, errors: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    """The organisation that already holds the name or Business ID, to be offered instead."""
    found = next(e for e in errors if e.get("organisation_id"))
    field = NEW_ORGANISATION_FIELDS.get(str(found.get("field")), "new_organisation_name")
    name = str(found.get("organisation_name") or "")
    key = "join.err.duplicate_" + ("business_id" if field == "business_id" else "name")
    duplicate = {
        "id": str(found["organisation_id"]),
        "name": name,
        "proposed": "true" if found.get("organisation_status") == "proposed" else "",
    }
    return {field: v.t(key, name=name)}, duplicate


@router.post("/join", response_class=HTMLResponse)
async def join_submit(request: Request, form: Form, v: Reader) -> Response:
    new_name = _text(form, "new_organisation_name")
    chosen = _text(form, "organisation_id")
    if new_name and chosen:
        # Both filled in: which one is meant cannot be guessed, and guessing wrong would
        # propose a duplicate or join the wrong organisation.
        return await _join_form(
            request, v, form, {"organisation_id": v.t("join.err.both_chosen")}, 422
        )
    payload: dict[str, Any] = {
        "name": _text(form, "name"),
        "email": _text(form, "email"),
        "language": form.get("language") or v.lang,
        "accept_privacy_notice": form.get("accept_privacy_notice") == "true",
    }
    if new_name:
        payload["new_organisation"] = new_organisation(form)
    elif chosen:
        payload["organisation_id"] = chosen
    try:
        body = Registration.model_validate(payload)
        await join(request, body)
    except ValidationError as exc:
        errors = form_errors(v, validation_errors(exc))  # type: ignore[arg-type]
        return await _join_form(request, v, form, errors, 422)
    except DomainError as exc:
        if exc.status_code in (429, 503):
            raise
        if exc.status_code == 409 and any(e.get("organisation_id") for e in exc.errors):
            errors, duplicate = duplicate_of(v, exc.errors)
            return await _join_form(request, v, form, errors, 409, duplicate)
        errors = form_errors(v, exc.errors or [{"field": "", "message": exc.message}])
        return await _join_form(request, v, form, errors, exc.status_code)
    return render(v, "sent.html", dev_hint=_dev_hint(request))


@router.get("/login", response_class=HTMLResponse)
async def login_page(v: Reader) -> Response:
    return render(v, "login.html", form={}, errors={})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, form: Form, v: Reader) -> Response:
    try:
        body = LinkRequest.model_validate({"email": str(form.get("email", "")).strip()})
    except ValidationError:
        errors = {"email": v.t("join.err.email")}
        return render(v, "login.html", status_code=422, form=form, errors=errors)
    await request_login_link(body, request)
    return render(v, "sent.html", dev_hint=_dev_hint(request))


@router.get("/welcome", response_class=HTMLResponse)
async def welcome(
    request: Request, v: Reader, sessions: SessionsDep, members: MembersDep
) -> Response:
    if v.user is None:
        secret = request.cookies.get(SESSION_COOKIE)
        if secret and await sessions.member_of(secret):
            # Signed in, but the member's copy has not reached the gateway yet.
            return render(v, "welcome_setting_up.html")
        return redirect(v, "/login")

    member = await members.get(v.user.member_id) or {}
    return render(v, "welcome.html", pending=bool(member.get("pending")))
