"""Back to the member's page after signing in: a signed-out member who opens one of their pages
(the "edit" link of a reminder mail, say) is sent to sign in, and the sign-in link then brings
them to that page instead of the welcome page.

The page is kept in a short-lived HttpOnly cookie rather than in the link, so the mailed sign-in
link stays as it is; only paths under ``/my/`` are taken, so it can never send anyone off-site.
"""

import re

from fastapi import Request, Response

COOKIE = "htk_return"
_SAFE = re.compile(r"/my/[A-Za-z0-9_\-/]{1,200}")
DEFAULT = "/welcome"


def remember(request: Request, response: Response, secure: bool) -> None:
    path = request.url.path
    if request.method == "GET" and _SAFE.fullmatch(path):
        response.set_cookie(
            COOKIE, path, max_age=1800, httponly=True, samesite="lax", secure=secure
        )


def destination(request: Request, response: Response) -> str:
    """Where signing in leads; the remembered page is used once."""
    path = request.cookies.get(COOKIE, "")
    if path:
        response.delete_cookie(COOKIE)
    return path if _SAFE.fullmatch(path) else DEFAULT
