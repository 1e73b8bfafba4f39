"""Production refuses development settings; member data answers the gateway only; a user token
opens only the service it was signed for."""

import pytest

from htk_catalogue.main import create_service as catalogue_service
from htk_gateway.main import create_service as gateway_service
from htk_gateway.settings import GatewaySettings
from htk_reporting.main import create_service as reporting_service
from htk_reporting.settings import ReportingSettings
from htk_runtime.auth import (
    HEADER,
    SERVICE_HEADER,
    User,
    generate_keypair,
    sign,
    sign_service,
)
from htk_runtime.settings import ProductionSettingsRefused
from htk_submissions.main import create_service as submissions_service
from htk_submissions.settings import SubmissionsSettings
from htk_testing.runtime import running

pytestmark = pytest.mark.security

PRIVATE, PUBLIC = generate_keypair()
COMPLETE = {
    "environment": "production",
    "token_public_key": PUBLIC,
    "token_private_key": PRIVATE,
    "gateway_secret": "s" * 43,
    "smtp_host": "smtp.example.fi",
    "reminder_link_secret": "r" * 43,
}


def refusal(create: object, settings: object) -> str:
    with pytest.raises(ProductionSettingsRefused) as refused:
        create(settings)  # type: ignore[operator]
    return str(refused.value)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"dev_open_writes": True}, "HTK_DEV_OPEN_WRITES"),
        ({"gateway_secret": ""}, "HTK_GATEWAY_SECRET"),
        ({"token_private_key": ""}, "HTK_TOKEN_PRIVATE_KEY"),
        ({"token_public_key": None}, "HTK_TOKEN_PUBLIC_KEY"),
        ({"smtp_host": None}, "HTK_SMTP_HOST"),
    ],
)
def test_the_gateway_refuses_to_start_in_production_with(change: dict, named: str) -> None:
    message = refusal(gateway_service, GatewaySettings(**(COMPLETE | change)))
    assert "production" in message and named in message


def test_other_services_refuse_what_they_need() -> None:
    for change, named in (
        ({"reminder_link_secret": ""}, "HTK_REMINDER_LINK_SECRET"),
        ({"smtp_host": None}, "HTK_SMTP_HOST"),
    ):
        assert named in refusal(submissions_service, SubmissionsSettings(**(COMPLETE | change)))
    assert "HTK_TOKEN_PUBLIC_KEY" in refusal(
        reporting_service, ReportingSettings(environment="production")
    )


def test_complete_production_settings_start_and_development_needs_none() -> None:
    gateway_service(GatewaySettings(**COMPLETE))
    submissions_service(SubmissionsSettings(**COMPLETE))
    # Development keeps working without any of them (a generated secret is fine there).
    assert gateway_service(GatewaySettings(dev_open_writes=True)).settings.gateway_secret


async def test_member_data_answers_the_gateways_service_token_only(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    private = token_keys[0]
    body = {"email": "nobody@example.fi"}
    async with running(catalogue_service().app()) as catalogue:
        for headers in (
            {},
            {HEADER: sign(User(member_id="m1", coordinator=True), private)},
            {SERVICE_HEADER: sign_service("gateway", "catalogue", generate_keypair()[0])},
            {SERVICE_HEADER: sign_service("gateway", "submissions", private)},
            # A user token in the service header is not a service token.
            {SERVICE_HEADER: sign(User(member_id="m1"), private)},
        ):
            for path in ("/members/claims", "/registrations"):
                answer = await catalogue.post(path, json=body, headers=headers)
                assert answer.status_code == 401, (path, headers, answer.text)
        gateway = {SERVICE_HEADER: sign_service("gateway", "catalogue", private)}
        answer = await catalogue.post("/members/claims", json=body, headers=gateway)
        assert answer.status_code == 404 and answer.json()["errors"][0]["field"] == "email"


async def test_a_user_token_opens_only_the_service_it_names(
    service_env: dict[str, str], token_keys: tuple[str, str]
) -> None:
    coordinator = User(member_id="c1", coordinator=True)
    async with running(reporting_service().app()) as reporting:
        for audience, status in ((["submissions"], 401), (["reporting"], 200)):
            token = sign(coordinator, token_keys[0], audience=audience)
            answer = await reporting.get("/coverage/pipeline", headers={HEADER: token})
            assert answer.status_code == status, (audience, answer.text)
