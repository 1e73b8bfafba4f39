"""The verified user, passed from the gateway to the services as a short-lived signed token.

The gateway signs with its Ed25519 private key; services hold only the public key, so a service
can check who is calling but cannot mint identities, and a plain header proves nothing.

Token: ``base64url(claims JSON) + "." + base64url(signature)``, sent in the ``HTK-User`` header.
Its ``audience`` names the services it is for; each service accepts only tokens naming it, so a
token that reaches one service (its logs, a proxy) cannot be replayed against another.

Calls the gateway makes for someone not signed in yet (joining, signing in) carry a service
token instead (``HTK-Service``): signed with the same key, for one service, and refused as a
user token. Internal routes that answer member data require it.
"""

import base64
import functools
import json
import time
from enum import StrEnum
from typing import Annotated, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from htk_runtime.errors import DomainError

HEADER = "HTK-User"
SERVICE_HEADER = "HTK-Service"
DEFAULT_TTL_SECONDS = 60
# Every service a user token may be for; a token signed without a narrower audience names all.
SERVICES = ("catalogue", "submissions", "search", "reporting", "community", "gateway")


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class User(BaseModel):
    member_id: str
    language: str = "fi"
    coordinator: bool = False
    # Approved memberships only: organisation id -> role in it.
    organisations: dict[str, Role] = Field(default_factory=dict)
    # An organisation's read-only API token: it may look, never change anything.
    read_only: bool = False
    expires_at: float = 0.0
    audience: list[str] = Field(default_factory=list, description="Services it is for")

    def is_member_of(self, organisation_id: str) -> bool:
        return organisation_id in self.organisations

    def is_admin_of(self, organisation_id: str) -> bool:
        return self.organisations.get(organisation_id) == Role.ADMIN


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_keypair() -> tuple[str, str]:
    """A new (private, public) pair as base64 text, for settings and tests."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return _b64(raw_private), _b64(raw_public)


def _signed(payload: bytes, private_key: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(_unb64(private_key))
    return f"{_b64(payload)}.{_b64(key.sign(payload))}"


def sign(
    user: User,
    private_key: str,
    ttl_seconds: float = DEFAULT_TTL_SECONDS,
    audience: tuple[str, ...] | list[str] = SERVICES,
) -> str:
    """The user's token for the services in ``audience`` (the gateway names one)."""
    claims = user.model_copy(
        update={"expires_at": time.time() + ttl_seconds, "audience": list(audience)}
    )
    return _signed(claims.model_dump_json().encode(), private_key)


class ServiceClaims(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["service"] = "service"
    caller: str
    audience: str
    expires_at: float


def sign_service(
    caller: str, audience: str, private_key: str, ttl_seconds: float = DEFAULT_TTL_SECONDS
) -> str:
    """A token saying ``caller`` (the gateway) makes this call to ``audience``."""
    claims = ServiceClaims(caller=caller, audience=audience, expires_at=time.time() + ttl_seconds)
    return _signed(claims.model_dump_json().encode(), private_key)


class InvalidToken(Exception):
    pass


def verify(
    token: str, public_key: str, now: float | None = None, audience: str | None = None
) -> User:
    user = _signed_claims(token, public_key)
    if user.expires_at < (now if now is not None else time.time()):
        raise InvalidToken("the user token has expired")
    if audience is not None and audience not in user.audience:
        raise InvalidToken(f"the user token is not for {audience}")
    return user.model_copy()


def verify_service(token: str, public_key: str, audience: str) -> ServiceClaims:
    try:
        payload_text, signature_text = token.split(".", 1)
        payload = _unb64(payload_text)
        Ed25519PublicKey.from_public_bytes(_unb64(public_key)).verify(
            _unb64(signature_text), payload
        )
        claims = ServiceClaims.model_validate(json.loads(payload))
    except (ValueError, InvalidSignature, ValidationError) as exc:
        raise InvalidToken("the service token is not valid") from exc
    if claims.expires_at < time.time():
        raise InvalidToken("the service token has expired")
    if claims.audience != audience:
        raise InvalidToken(f"the service token is not for {audience}")
    return claims


@functools.lru_cache(maxsize=4096)
def _signed_claims(token: str, public_key: str) -> User:
    """The claims of a token whose signature checks out with ``public_key``.

    Remembered per token: a client sends the same token with every request until it expires,
    and checking the Ed25519 signature was a twentieth of the CPU a submission took.
    Only valid signatures are remembered (a raised exception is not cached), and expiry is
    checked on every use.
    """
    try:
        payload_text, signature_text = token.split(".", 1)
        payload = _unb64(payload_text)
        Ed25519PublicKey.from_public_bytes(_unb64(public_key)).verify(
            _unb64(signature_text), payload
        )
        return User.model_validate(json.loads(payload))
    except (ValueError, InvalidSignature, ValidationError) as exc:
        raise InvalidToken("the user token is not valid") from exc


def _public_key(request: Request) -> str:
    key: str | None = request.app.state.service.settings.token_public_key
    if not key:
        raise DomainError(503, "This service has no key to check users with (HTK_TOKEN_PUBLIC_KEY)")
    return key


READING = frozenset({"GET", "HEAD", "OPTIONS"})


async def optional_user(request: Request) -> User | None:
    token = request.headers.get(HEADER)
    if not token:
        return None
    service = request.app.state.service.settings.service_name
    try:
        user = verify(token, _public_key(request), audience=service)
    except InvalidToken as exc:
        raise DomainError(401, f"Sign in again: {exc}") from exc
    # The gateway refuses a read-only token's writes already; a service does not rely on that.
    if user.read_only and request.method not in READING:
        raise DomainError(403, "This API token may only read")
    return user


async def gateway_call(request: Request) -> ServiceClaims:
    """Only the gateway (holding the signing key) may call this route."""
    token = request.headers.get(SERVICE_HEADER)
    if not token:
        raise DomainError(401, "This route answers the gateway only")
    service = request.app.state.service.settings.service_name
    try:
        return verify_service(token, _public_key(request), service)
    except InvalidToken as exc:
        raise DomainError(401, f"This route answers the gateway only: {exc}") from exc


async def required_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise DomainError(401, "Sign in to do this")
    return user


async def coordinator(user: Annotated[User, Depends(required_user)]) -> User:
    if not user.coordinator:
        raise DomainError(403, "Only the plan's coordinators can do this")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(required_user)]
Coordinator = Annotated[User, Depends(coordinator)]
GatewayCall = Annotated[ServiceClaims, Depends(gateway_call)]
