import pytest
from fastapi import APIRouter

from htk_runtime.auth import (
    Coordinator,
    CurrentUser,
    InvalidToken,
    User,
    generate_keypair,
    sign,
    verify,
)
from htk_runtime.service import Service
from htk_runtime.settings import ServiceSettings
from htk_testing.runtime import running, user_headers

router = APIRouter()


@router.get("/me")
async def me(user: CurrentUser) -> dict[str, str]:
    return {"member_id": user.member_id}


@router.get("/review")
async def review(user: Coordinator) -> dict[str, bool]:
    return {"ok": True}


def test_a_token_verifies_only_with_its_key_and_before_expiry() -> None:
    private, public = generate_keypair()
    _, other_public = generate_keypair()
    token = sign(User(member_id="m1", organisations={"o1": "admin"}), private, ttl_seconds=30)
    user = verify(token, public)
    assert user.member_id == "m1" and user.is_admin_of("o1") and not user.is_admin_of("o2")
    with pytest.raises(InvalidToken):
        verify(token, other_public)
    with pytest.raises(InvalidToken, match="expired"):
        verify(token, public, now=user.expires_at + 1)
    _payload, signature = token.split(".")
    forged = sign(User(member_id="m1", coordinator=True), generate_keypair()[0]).split(".")[0]
    with pytest.raises(InvalidToken):
        verify(f"{forged}.{signature}", public)
    with pytest.raises(InvalidToken):
        verify("garbage", public)


async def test_services_trust_only_signed_users(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    # A service of the platform: user tokens name the services they are for.
    settings = ServiceSettings(service_name="search")
    app = Service(settings, title="t", routers=[router], use_broker=False).app()
    async with running(app) as client:
        assert (await client.get("/me")).status_code == 401
        assert (await client.get("/me", headers={"HTK-User": "m1"})).status_code == 401
        member = user_headers(token_keys[0], member_id="m1")
        assert (await client.get("/me", headers=member)).json() == {"member_id": "m1"}
        assert (await client.get("/review", headers=member)).status_code == 403
        boss = user_headers(token_keys[0], member_id="c1", coordinator=True)
        assert (await client.get("/review", headers=boss)).status_code == 200


@router.post("/write")
async def write(user: CurrentUser) -> dict[str, str]:
    return {"member_id": user.member_id}


async def test_a_read_only_user_reads_but_never_writes(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    """An organisation's read-only API token: refused by the service itself on any write."""
    settings = ServiceSettings(service_name="submissions")  # a token names its audience
    app = Service(settings, title="t", routers=[router], use_broker=False).app()
    async with running(app) as client:
        reader = user_headers(token_keys[0], member_id="token:t1", read_only=True)
        assert (await client.get("/me", headers=reader)).json() == {"member_id": "token:t1"}
        refused = await client.post("/write", headers=reader)
        assert refused.status_code == 403 and "only read" in refused.json()["message"]
        writer = user_headers(token_keys[0], member_id="token:t2")
        assert (await client.post("/write", headers=writer)).status_code == 200
