"""An organisation's admins in the browser: who asks to join and who belongs (approve, refuse,
make admin, remove), and the organisation's profile (names, Business ID, home municipality or
county, website). Coordinators see every organisation's pending requests on one page of their
own (pages/coordinator.py); here they may manage any organisation by its address."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_contracts.catalogue import OrganisationType
from htk_gateway.pages.join import duplicate_of, form_errors, new_organisation
from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.forms import translate_errors
from htk_gateway.web.guards import (
    ADMIN_WRITE,
    MEMBER_WRITE,
    Form,
    OrganisationAdmin,
    Reader,
    SignedIn,
)
from htk_gateway.web.listing import read_all
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

# The catalogue's field names, as the profile form names its inputs.
PROFILE_FIELDS = {"municipality": "home", "county": "home"}
KNOWN_REFUSALS = {
    403: "error.forbidden",
    404: "error.not_found",
    409: "orgadmin.err.last_admin",
    503: "error.unavailable",
}


def _done(v: Viewer, done: str | None) -> str | None:
    return done if done and v.t.has(f"done.{done}") else None


async def _organisation(request: Request, user: User, organisation_id: str) -> dict[str, Any]:
    found = await read(request, user, "catalogue", f"/organisations/{organisation_id}")
    if not isinstance(found, dict):
        raise DomainError(404, "No such organisation")
    return found


async def _members_page(
    request: Request, v: Viewer, user: User, done: str | None = None, message: str | None = None
) -> Response:
    organisations = []
    for org_id in v.admin_of:
        org = await read(request, user, "catalogue", f"/organisations/{org_id}") or {"id": org_id}
        path = f"/organisations/{org_id}/memberships"
        everyone = await read_all(request, user, "catalogue", path) or []
        organisations.append(
            {
                **org,
                "id": org_id,
                "requests": [m for m in everyone if m.get("status") == "pending"],
                "members": [m for m in everyone if m.get("status") == "approved"],
            }
        )
    if not organisations and not user.coordinator:
        raise DomainError(403, "Only an organisation's admins approve its members")
    return render(
        v,
        "members.html",
        organisations=organisations,
        places=await reference.place_names(request),
        done=_done(v, done),
        message=message,
        status_code=409 if message else 200,
    )


@router.get("/my/members", response_class=HTMLResponse)
async def members_page(
    request: Request, v: Reader, user: SignedIn, done: str | None = None
) -> Response:
    return await _members_page(request, v, user, done)


async def _change(
    request: Request, user: User, organisation_id: str, method: str, path: str, **kwargs: Any
) -> Any:
    """A change to a membership, for a route guarded by ``ADMIN_WRITE``."""
    return await call(
        request, user, "catalogue", method, f"/organisations/{organisation_id}{path}", **kwargs
    )


def _back(form: dict[str, Any]) -> str:
    # Coordinators decide from their own list and go back there; nothing else is accepted.
    return "/coordinator/requests" if form.get("back") == "requests" else "/my/members"


async def _refused(request: Request, v: Viewer, user: User, answer: Any) -> Response:
    if answer.status_code == 404:
        raise DomainError(404, "No such member in this organisation")
    key = KNOWN_REFUSALS.get(answer.status_code, "error.generic")
    return await _members_page(request, v, user, message=v.t(key))


@router.post(
    "/my/members/{organisation_id}/{member_id}",
    response_class=HTMLResponse,
    dependencies=[ADMIN_WRITE],
)
async def decide_member(
    organisation_id: str,
    member_id: str,
    request: Request,
    form: Form,
    v: Reader,
    user: OrganisationAdmin,
) -> Response:
    approve = form.get("approve") == "true"
    answer = await _change(
        request,
        user,
        organisation_id,
        "POST",
        f"/memberships/{member_id}/decision",
        json={"approve": approve, "role": "member"},
    )
    if answer.status_code != 200:
        if form.get("back") == "requests":
            message, _ = error_list(answer)
            raise DomainError(answer.status_code, message or "Refused")
        return await _refused(request, v, user, answer)
    return redirect(v, _back(form) + "?done=" + ("approved" if approve else "rejected"))


@router.post(
    "/my/members/{organisation_id}/{member_id}/role",
    response_class=HTMLResponse,
    dependencies=[ADMIN_WRITE],
)
async def change_role(
    organisation_id: str,
    member_id: str,
    request: Request,
    form: Form,
    v: Reader,
    user: OrganisationAdmin,
) -> Response:
    role = "admin" if form.get("role") == "admin" else "member"
    answer = await _change(
        request, user, organisation_id, "PUT", f"/memberships/{member_id}/role", json={"role": role}
    )
    if answer.status_code != 200:
        return await _refused(request, v, user, answer)
    return redirect(v, f"/my/members?done=role_{role}")


@router.post(
    "/my/members/{organisation_id}/{member_id}/remove",
    response_class=HTMLResponse,
    dependencies=[ADMIN_WRITE],
)
async def remove_member(
    organisation_id: str, member_id: str, request: Request, v: Reader, user: OrganisationAdmin
) -> Response:
    answer = await _change(request, user, organisation_id, "DELETE", f"/memberships/{member_id}")
    if answer.status_code != 204:
        return await _refused(request, v, user, answer)
    return redirect(v, "/my/members?done=member_removed")


def profile_form(org: dict[str, Any]) -> dict[str, Any]:
    home = ""
    if org.get("municipality"):
        home = f"municipality:{org['municipality']}"
    elif org.get("county"):
        home = f"county:{org['county']}"
    return {
        "name_fi": org.get("name_fi") or "",
        "name_sv": org.get("name_sv") or "",
        "business_id": org.get("business_id") or "",
        "website": org.get("website") or "",
        "home": home,
    }


def profile_changes(form: dict[str, Any]) -> dict[str, Any]:
    """The whole profile as PATCH takes it: an emptied optional field is cleared (null)."""

    def text(name: str) -> str | None:
        value = str(form.get(name) or "").strip()
        return value or None

    website = text("website")
    if website and "://" not in website:
        website = f"https://{website}"
    kind, _, code = str(form.get("home") or "").partition(":")
    return {
        "name_fi": text("name_fi") or "",
        "name_sv": text("name_sv"),
        "business_id": text("business_id"),
        "website": website,
        "municipality": code if kind == "municipality" and code else None,
        "county": code if kind == "county" and code else None,
    }


async def _profile_form(
    request: Request,
    v: Viewer,
    org: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        v,
        "organisation_edit.html",
        status_code=status,
        org=org,
        form=form,
        errors=errors,
        counties=await reference.counties(request),
        municipalities=await reference.municipalities(request),
    )


@router.get("/my/organisations/{organisation_id}/edit", response_class=HTMLResponse)
async def edit_profile_page(
    organisation_id: str, request: Request, v: Reader, user: OrganisationAdmin
) -> Response:
    org = await _organisation(request, user, organisation_id)
    return await _profile_form(request, v, org, profile_form(org), {})


@router.post(
    "/my/organisations/{organisation_id}/edit",
    response_class=HTMLResponse,
    dependencies=[ADMIN_WRITE],
)
async def edit_profile(
    organisation_id: str, request: Request, form: Form, v: Reader, user: OrganisationAdmin
) -> Response:
    org = await _organisation(request, user, organisation_id)
    answer = await call(
        request,
        user,
        "catalogue",
        "PATCH",
        f"/organisations/{organisation_id}",
        json=profile_changes(form),
    )
    if answer.status_code == 200:
        reference.forget()
        return redirect(v, "/my/members?done=profile_saved")
    _, errors = error_list(answer)
    if not errors:
        errors = [{"field": "", "message": ""}]
    renamed = [
        {**e, "field": PROFILE_FIELDS.get(e.get("field", ""), e.get("field"))} for e in errors
    ]
    translated = translate_errors(v.t, renamed, prefix="orgedit")
    duplicate = next((e for e in errors if e.get("organisation_name")), None)
    if duplicate:
        field = "business_id" if duplicate.get("field") == "business_id" else "name_fi"
        key = "join.err.duplicate_" + ("business_id" if field == "business_id" else "name")
        translated = {field: v.t(key, name=duplicate["organisation_name"])}
    return await _profile_form(request, v, org, form, translated, 422)


# A member's own organisations: where they belong or wait, asking to join another one, and
# proposing a new one (someone refused, removed or starting in a second organisation).


async def _my_organisations(
    request: Request,
    v: Viewer,
    user: User,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    duplicate: dict[str, str] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    me = await read(request, user, "catalogue", "/members/me") or {}
    names = await reference.organisation_names(request)
    memberships = []
    for m in me.get("memberships", []):
        org_id = m.get("organisation_id", "")
        org = names.get(org_id) or await read(
            request, user, "catalogue", f"/organisations/{org_id}"
        )
        memberships.append({**m, "organisation": org or {"id": org_id}})
    belongs = {m["organisation_id"] for m in memberships if m.get("status") != "rejected"}
    return render(
        v,
        "my_organisations.html",
        status_code=status,
        memberships=memberships,
        joinable=[o for o in names.values() if o.get("id") not in belongs],
        form=form or {},
        errors=errors or {},
        duplicate=duplicate,
        done=_done(v, done),
        organisation_types=[t.value for t in OrganisationType],
        counties=await reference.counties(request),
        municipalities=await reference.municipalities(request),
    )


@router.get("/my/organisations", response_class=HTMLResponse)
async def my_organisations(
    request: Request, v: Reader, user: SignedIn, done: str | None = None
) -> Response:
    return await _my_organisations(request, v, user, done=done)


@router.post("/my/organisations/join", response_class=HTMLResponse, dependencies=[MEMBER_WRITE])
async def ask_to_join(request: Request, form: Form, v: Reader, user: SignedIn) -> Response:
    organisation_id = str(form.get("organisation_id") or "").strip()
    if not organisation_id:
        errors = {"organisation_id": v.t("myorgs.err.choose")}
        return await _my_organisations(request, v, user, form, errors, status=422)
    answer = await call(
        request,
        user,
        "catalogue",
        "POST",
        "/members/me/memberships",
        json={"organisation_id": organisation_id},
    )
    if answer.status_code != 201:
        key = "myorgs.err.already" if answer.status_code == 409 else "myorgs.err.choose"
        errors = {"organisation_id": v.t(key)}
        return await _my_organisations(request, v, user, form, errors, status=answer.status_code)
    return redirect(v, "/my/organisations?done=join_requested")


@router.post("/my/organisations/propose", response_class=HTMLResponse, dependencies=[MEMBER_WRITE])
async def propose(request: Request, form: Form, v: Reader, user: SignedIn) -> Response:
    answer = await call(
        request, user, "catalogue", "POST", "/organisations/proposals", json=new_organisation(form)
    )
    if answer.status_code == 201:
        return redirect(v, "/my/organisations?done=proposal_sent")
    _, refusal = error_list(answer)
    # The catalogue names this route's fields without the registration's prefix.
    prefixed = [{**e, "field": f"new_organisation.{e.get('field') or 'name_fi'}"} for e in refusal]
    if answer.status_code == 409 and any(e.get("organisation_id") for e in prefixed):
        errors, duplicate = duplicate_of(v, prefixed)
        return await _my_organisations(request, v, user, form, errors, duplicate, status=409)
    errors = form_errors(v, prefixed or [{"field": "", "message": ""}])
    return await _my_organisations(request, v, user, form, errors, status=422)
