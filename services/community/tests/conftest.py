"""A community service whose read copies hold a small plan, organisations, members and one
published action."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from htk_community.main import create_service
from htk_contracts.actions import ActionPublished, PublicAction
from htk_contracts.catalogue import (
    Member,
    MemberErased,
    Membership,
    Names,
    Organisation,
    PlanNode,
    PlanVersion,
)
from htk_contracts.envelope import Envelope
from htk_runtime.service import Service
from htk_testing.runtime import received, running, user_headers

ACTION = "a-1"


def envelope(subject: str, version: int, data: Any) -> Envelope[dict[str, Any]]:
    return received("/catalogue", "fi.htk.test.changed.v1", subject, version, data)


def plan() -> PlanVersion:
    def node(code: str, state: str = "active") -> PlanNode:
        level = ("priority", "sub_goal", "measure")[code.count(".")]
        name = Names(fi=f"Tavoite {code}", sv=f"Mål {code}", en=f"Goal {code}")
        return PlanNode(code=code, level=level, name=name, state=state)

    nodes = [node("1"), node("1.1"), node("1.1.1"), node("1.1.2", "retired")]
    return PlanVersion(
        version=1, created_at=datetime.now(UTC), change="test", example=True, nodes=nodes
    )


def member(member_id: str, organisations: dict[str, str], coordinator: bool = False) -> Member:
    return Member(
        member_id=member_id,
        name=f"Name {member_id}",
        email=f"{member_id}@example.org",
        language="fi",
        coordinator=coordinator,
        memberships=[
            Membership(organisation_id=o, role=r, status="approved")
            for o, r in organisations.items()
        ],
    )


def published_action() -> ActionPublished:
    now = datetime.now(UTC)
    return ActionPublished(
        action=PublicAction(
            action_id=ACTION,
            version=2,
            title="Kohtaamispaikka",
            summary="Viikoittain",
            language="fi",
            state="ongoing",
            organisation_id="o1",
            plan_version=1,
            measures=["1.1.1"],
            sub_goals=["1.1"],
            priorities=["1"],
            inequality_reduction="Tavoittaa yksin asuvat",
            published_at=now,
            updated_at=now,
            confirmed_at=now,
        )
    )


async def seed(service: Service) -> None:
    copies = service.ctx().state["copies"]
    await copies.apply_plan(envelope("plan", 1, plan()))
    for org in ("o1", "o2"):
        org_data = Organisation(
            organisation_id=org, name_fi=f"Järjestö {org}", type="ngo", status="approved"
        )
        await copies.apply_organisation(envelope(org, 1, org_data))
    await copies.apply_member(envelope("m1", 1, member("m1", {"o1": "member"})))
    await copies.apply_member(envelope("m2", 1, member("m2", {"o2": "member"})))
    await copies.apply_member(envelope("c1", 1, member("c1", {"o2": "member"}, True)))
    await copies.apply_action(
        received("/submissions", "fi.htk.action.published.v1", ACTION, 2, published_action())
    )


def erased(member_id: str) -> Envelope[dict[str, Any]]:
    return envelope(member_id, 2, MemberErased(member_id=member_id, erased_at=datetime.now(UTC)))


@dataclass
class Actors:
    visitor: dict[str, str]
    member: dict[str, str]  # m1, member of o1
    other: dict[str, str]  # m2, member of o2
    coordinator: dict[str, str]  # c1, a coordinator and member of o2
    loner: dict[str, str]  # m9, in no organisation


@pytest.fixture
def actors(token_keys: tuple[str, str]) -> Actors:
    key = token_keys[0]
    return Actors(
        visitor={},
        member=user_headers(key, member_id="m1", organisations={"o1": "member"}),
        other=user_headers(key, member_id="m2", organisations={"o2": "member"}),
        coordinator=user_headers(
            key, member_id="c1", organisations={"o2": "member"}, coordinator=True
        ),
        loner=user_headers(key, member_id="m9"),
    )


@pytest.fixture
async def service(service_env: dict[str, str]) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    svc = create_service()
    async with running(svc.app()) as client:
        await seed(svc)
        yield svc, client


@pytest.fixture
def erase() -> Any:
    return erased
