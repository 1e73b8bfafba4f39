"""Who may call a page, as FastAPI dependencies: a handler declares its guards in its signature
or its route's ``dependencies=`` instead of calling them by hand.

- ``Reader``: whoever reads the page (a visitor too), with language and CSRF token.
- ``SignedIn``: the member, or 401. ``Coordinator``: a coordinator, or 403.
  ``OrganisationAdmin``: an admin of the path's ``organisation_id`` or a coordinator, or 403.
- ``Form``: the posted form after its CSRF check (403 without a valid token).
- ``MEMBER_WRITE``, ``COORDINATOR_WRITE``, ``ADMIN_WRITE``, ``VISITOR_WRITE``: for a route's
  ``dependencies=``: the CSRF check, the caller check, then the write limit, in that order, so
  a refused request never counts against the limit. ``CSRF_CHECKED``, ``SIGNED_IN``,
  ``COORDINATOR``, ``ORGANISATION_ADMIN``: the same guards for a route that does not use their
  value (route dependencies run first, in their order).

FastAPI resolves a dependency once per request, so a guard and the handler share one viewer
and one parsed form.
"""

from typing import Annotated, Any

from fastapi import Depends, Request

from htk_gateway.web.client_address import client_address
from htk_gateway.web.deps import gateway_settings, rate_limiter
from htk_gateway.web.forms import form_data
from htk_gateway.web.viewer import Viewer, viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

Reader = Annotated[Viewer, Depends(viewer)]
Form = Annotated[dict[str, Any], Depends(form_data)]


def signed_in(v: Reader) -> User:
    if v.user is None:
        raise DomainError(401, "Sign in to do this")
    return v.user


SignedIn = Annotated[User, Depends(signed_in)]


def coordinator(user: SignedIn) -> User:
    if not user.coordinator:
        raise DomainError(403, "Only the plan's coordinators can do this")
    return user


Coordinator = Annotated[User, Depends(coordinator)]


def organisation_admin(organisation_id: str, user: SignedIn, v: Reader) -> User:
    if not (user.coordinator or organisation_id in v.admin_of):
        raise DomainError(403, "Only the organisation's admins or a coordinator can do this")
    return user


OrganisationAdmin = Annotated[User, Depends(organisation_admin)]


async def limit_writes(request: Request, user: User | None) -> None:
    """A write counts against the member's budget, or the address's for a visitor."""
    who = user.member_id if user else client_address(request)
    limit = gateway_settings(request).writes_per_minute
    await rate_limiter(request).hit(f"write:{who}", limit, 60)


async def _member_writes(request: Request, form: Form, user: SignedIn) -> None:
    await limit_writes(request, user)


async def _coordinator_writes(request: Request, form: Form, user: Coordinator) -> None:
    await limit_writes(request, user)


async def _admin_writes(request: Request, form: Form, user: OrganisationAdmin) -> None:
    await limit_writes(request, user)


async def _visitor_writes(request: Request, form: Form) -> None:
    await limit_writes(request, None)


MEMBER_WRITE = Depends(_member_writes)
COORDINATOR_WRITE = Depends(_coordinator_writes)
ADMIN_WRITE = Depends(_admin_writes)
VISITOR_WRITE = Depends(_visitor_writes)
CSRF_CHECKED = Depends(form_data)
SIGNED_IN = Depends(signed_in)
COORDINATOR = Depends(coordinator)
ORGANISATION_ADMIN = Depends(organisation_admin)
