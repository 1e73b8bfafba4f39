"""The joining and login forms. Both answer the same way whether or not the address is
registered; the link arrives by mail."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from htk_contracts.catalogue import OrganisationType
from htk_gateway import reference
from htk_gateway.auth import LinkRequest, Registration, join, request_login_link
from htk_gateway.forms import translate_errors
from htk_gateway.web import form_data, redirect, render, settings, viewer
from htk_runtime.errors import DomainError, validation_errors

router = APIRouter(include_in_schema=False)

JOIN_FIELDS = (
    "name",
    "email",
    "organisation_id",
    "new_organisation_name",
    "language",
    "accept_privacy_notice",
)


async def _join_form(
    request: Request, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    v = await viewer(request)
    return render(
        v,
        "join.html",
        status_code=status,
        form=form,
        errors=errors,
        organisations=await reference.organisations(request),
        organisation_types=[t.value for t in OrganisationType],
    )


@router.get("/join", response_class=HTMLResponse)
async def join_page(request: Request) -> Response:
    return await _join_form(request, {}, {})


def _dev_hint(request: Request) -> str | None:
    s = settings(request)
    if s.environment == "development" and not s.smtp_host:
        return str(s.mail_dir)
    return None


@router.post("/join", response_class=HTMLResponse)
async def join_submit(request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    new_name = str(form.get("new_organisation_name", "")).strip()
    payload: dict[str, Any] = {
        "name": str(form.get("name", "")).strip(),
        "email": str(form.get("email", "")).strip(),
        "language": form.get("language") or v.lang,
        "accept_privacy_notice": form.get("accept_privacy_notice") == "true",
    }
    if new_name:
        payload["new_organisation"] = {
            "name_fi": new_name,
            "type": form.get("new_organisation_type") or "other",
        }
    elif form.get("organisation_id"):
        payload["organisation_id"] = form["organisation_id"]
    try:
        body = Registration.model_validate(payload)
        await join(request, body)
    except ValidationError as exc:
        errors = translate_errors(v.t, validation_errors(exc), prefix="join")  # type: ignore[arg-type]
        return await _join_form(request, form, errors, 422)
    except DomainError as exc:
        if exc.status_code in (429, 503):
            raise
        errors = translate_errors(
            v.t, exc.errors or [{"field": "", "message": exc.message}], prefix="join"
        )
        return await _join_form(request, form, errors, exc.status_code)
    return render(v, "sent.html", dev_hint=_dev_hint(request))


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    return render(await viewer(request), "login.html", form={}, errors={})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    try:
        body = LinkRequest.model_validate({"email": str(form.get("email", "")).strip()})
    except ValidationError:
        errors = {"email": v.t("join.err.email")}
        return render(v, "login.html", status_code=422, form=form, errors=errors)
    await request_login_link(body, request)
    return render(v, "sent.html", dev_hint=_dev_hint(request))


@router.get("/welcome", response_class=HTMLResponse)
async def welcome(request: Request) -> Response:
    v = await viewer(request)
    if v.user is None:
        return redirect(v, "/login")
    from htk_gateway.web import state

    member = await state(request)["members"].get(v.user.member_id) or {}
    return render(v, "welcome.html", pending=bool(member.get("pending")))
