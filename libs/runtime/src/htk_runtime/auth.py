"""The verified user, passed from the gateway to the services as a short-lived signed token.

The gateway signs with its Ed25519 private key; services hold only the public key, so a service
can check who is calling but cannot mint identities, and a plain header proves nothing.

Token: ``base64url(claims JSON) + "." + base64url(signature)``, sent in the ``HTK-User`` header.
"""

import base64
import functools
import json
import time
from enum import StrEnum
from typing import Annotated

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request
from pydantic import BaseModel, Field, ValidationError

from htk_runtime.errors import DomainError

HEADER = "HTK-User"
DEFAULT_TTL_SECONDS = 60


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


def sign(user: User, private_key: str, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> str:
    key = Ed25519PrivateKey.from_private_bytes(_unb64(private_key))
    claims = user.model_copy(update={"expires_at": time.time() + ttl_seconds})
    payload = claims.model_dump_json().encode()
    return f"{_b64(payload)}.{_b64(key.sign(payload))}"


class InvalidToken(Exception):
    pass


def verify(token: str, public_key: str, now: float | None = None) -> User:
    user = _signed_claims(token, public_key)
    if user.expires_at < (now if now is not None else time.time()):
        raise InvalidToken("the user token has expired")
    return user.model_copy()


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
    try:
        user = verify(token, _public_key(request))
    except InvalidToken as exc:
        raise DomainError(401, f"Sign in again: {exc}") from exc
    # The gateway refuses a read-only token's writes already; a service does not rely on that.
    if user.read_only and request.method not in READING:
        raise DomainError(403, "This API token may only read")
    return user


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
