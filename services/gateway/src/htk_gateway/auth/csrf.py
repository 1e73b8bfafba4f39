"""CSRF protection for requests that carry the session cookie.

The token is an HMAC of the browser's session (or, before login, of a random pre-session
cookie) under the gateway's secret: a page from another site can neither read nor compute it.
Forms send it in a hidden field ``csrf``, scripts in the ``X-CSRF-Token`` header. API requests
without cookies carry no ambient authority and need no token; a form post (``required``) needs
the cookie and its token, so a post from another site that sends no cookie is refused too (on
the sign-in forms a cookieless post would otherwise act for the attacker, see auth.use_link).
"""

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from htk_runtime.errors import DomainError

SESSION_COOKIE = "htk_session"
PRE_SESSION_COOKIE = "htk_pre"
HEADER = "x-csrf-token"


def _binding(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_SESSION_COOKIE)


def token_for(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def ensure_pre_session(request: Request, response: Response, secure: bool) -> str:
    """A binding for forms shown before login; returns the CSRF token to put in the form."""
    binding = _binding(request)
    if binding is None:
        binding = secrets.token_urlsafe(24)
        response.set_cookie(
            PRE_SESSION_COOKIE, binding, httponly=True, samesite="lax", secure=secure
        )
        request.state.new_binding = binding
    secret: str = request.app.state.service.settings.gateway_secret
    return token_for(secret, binding)


def check(request: Request, sent: str | None, *, required: bool = False) -> None:
    binding = _binding(request)
    if binding is None and not required:
        return
    secret: str = request.app.state.service.settings.gateway_secret
    expected = token_for(secret, binding) if binding else ""
    if not sent or not expected or not hmac.compare_digest(expected, sent):
        raise DomainError(
            403,
            "The form has expired or did not come from this site; reload the page and try again",
            field="csrf",
        )
