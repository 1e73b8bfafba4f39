"""Who calls ``/api/v1``: a person by their session cookie, or an organisation's system by its
API token (``Authorization: Bearer htk_...``).

A token acts as a member of its organisation and nothing more: the services see a signed user
``token:<id>`` whose only membership is that organisation, with the member role, and, for a
read token, the ``read_only`` claim (the gateway refuses its writes; the services would too).
It reaches only ``/api/v1``: pages read the session cookie alone. A header is not ambient
authority as a cookie is (another site's page cannot make a browser send it), so a token's
writes need no CSRF token; for that reason a request carrying both a session cookie and a token
is refused rather than guessed at.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from htk_gateway.api_tokens.store import MEMBER_PREFIX, PREFIX, Scope, status
from htk_gateway.auth import csrf
from htk_gateway.auth.identity import current_user
from htk_gateway.web.deps import api_tokens, gateway_settings, rate_limiter
from htk_runtime.auth import Role, User
from htk_runtime.errors import DomainError

# For the OpenAPI document: the scheme a program authenticates with. The header is read below.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    bearerFormat="htk_...",
    description="An API token of your organisation, made by its admin on the organisation's "
    "page. Without one, the session cookie of a signed-in person (and its CSRF token) counts.",
)
CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@dataclass(frozen=True)
class ApiCaller:
    user: User | None
    token_id: str | None = None

    @property
    def by_token(self) -> bool:
        return self.token_id is not None


def _refused(message: str) -> DomainError:
    return DomainError(401, message, field="Authorization", headers=CHALLENGE)


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d}" if hasattr(value, "strftime") else str(value)


async def _by_token(request: Request, header: str) -> ApiCaller:
    if request.cookies.get(csrf.SESSION_COOKIE):
        raise DomainError(
            400,
            "Send either the session cookie or an API token, not both",
            field="Authorization",
        )
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(PREFIX):
        raise _refused("Authorization must be 'Bearer htk_...' with your organisation's API token")
    tokens = api_tokens(request)
    token = await tokens.find(secret)
    if token is None:
        raise _refused("This API token is not valid")
    match status(token):
        case "revoked":
            raise _refused(
                f"This API token was revoked on {_day(token['revoked_at'])}; "
                "an admin of the organisation can make a new one"
            )
        case "expired":
            raise _refused(
                f"This API token expired on {_day(token['expires_at'])}; "
                "an admin of the organisation can make a new one"
            )
    settings = gateway_settings(request)
    await rate_limiter(request).hit(
        f"api-token:{token['_id']}", settings.api_token_requests_per_minute, 60
    )
    await tokens.used(token)
    user = User(
        member_id=f"{MEMBER_PREFIX}{token['_id']}",
        organisations={token["organisation_id"]: Role.MEMBER},
        read_only=token["scope"] != Scope.WRITE,
    )
    return ApiCaller(user, token["_id"])


async def api_caller(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> ApiCaller:
    """The caller of an ``/api/v1`` route, worked out once per request."""
    known: ApiCaller | None = getattr(request.state, "api_caller", None)
    if known is not None:
        return known
    header = request.headers.get("authorization")
    caller = await _by_token(request, header) if header else ApiCaller(await current_user(request))
    request.state.api_caller = caller
    return caller


Caller = Annotated[ApiCaller, Depends(api_caller)]
