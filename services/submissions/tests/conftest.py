"""A submissions service whose catalogue read copies hold a small plan, organisations and members."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from htk_contracts.catalogue import (
    Member,
    Membership,
    Names,
    Organisation,
    PlanNode,
    PlanVersion,
)
from htk_contracts.envelope import Envelope
from htk_runtime.service import Service
from htk_submissions.main import create_service
from htk_testing.runtime import received, running, user_headers

REPO = Path(__file__).resolve().parents[3]


def envelope(subject: str, version: int, data: Any) -> Envelope[dict[str, Any]]:
    return received("/catalogue", "fi.htk.test.changed.v1", subject, version, data)


def plan(version: int, measures: dict[str, str]) -> PlanVersion:
    def node(code: str, state: str = "active") -> PlanNode:
        level = ("priority", "sub_goal", "measure")[code.count(".")]
        return PlanNode(code=code, level=level, name=Names(fi=code, sv=code, en=code), state=state)

    codes = sorted({m.split(".")[0] for m in measures} | {m.rsplit(".", 1)[0] for m in measures})
    nodes = [node(c) for c in codes] + [node(m, s) for m, s in measures.items()]
    return PlanVersion(
        version=version, created_at=datetime.now(UTC), change="test", example=True, nodes=nodes
    )


MEASURES = {"1.1.1": "active", "1.1.2": "active", "3.1.1": "active", "2.1.1": "retired"}


def organisation(org_id: str, status: str = "approved") -> Organisation:
    return Organisation(organisation_id=org_id, name_fi=f"Org {org_id}", type="ngo", status=status)


def member(member_id: str, memberships: dict[str, str], coordinator: bool = False) -> Member:
    return Member(
        member_id=member_id,
        name=f"Name {member_id}",
        email=f"{member_id}@example.org",
        language="fi",
        coordinator=coordinator,
        memberships=[
            Membership(organisation_id=o, role=r, status="approved") for o, r in memberships.items()
        ],
    )


async def seed_catalogue(service: Service) -> None:
    copies = service.ctx().state["copies"]
    await copies.apply_plan(envelope("plan", 1, plan(1, MEASURES)))
    for org, status in (("o1", "approved"), ("o2", "approved"), ("o3", "proposed")):
        await copies.apply_organisation(envelope(org, 1, organisation(org, status)))
    await copies.apply_member(envelope("m1", 1, member("m1", {"o1": "member"})))
    await copies.apply_member(envelope("a1", 1, member("a1", {"o1": "admin"})))
    await copies.apply_member(envelope("m2", 1, member("m2", {"o2": "member"})))
    await copies.apply_member(envelope("c1", 1, member("c1", {}, coordinator=True)))


@dataclass
class Actors:
    visitor: dict[str, str]
    member: dict[str, str]  # m1, member of o1
    admin: dict[str, str]  # a1, admin of o1
    other: dict[str, str]  # m2, member of o2
    coordinator: dict[str, str]  # c1


@pytest.fixture
def actors(token_keys: tuple[str, str]) -> Actors:
    key = token_keys[0]
    return Actors(
        visitor={},
        member=user_headers(key, member_id="m1", organisations={"o1": "member"}),
        admin=user_headers(key, member_id="a1", organisations={"o1": "admin"}),
        other=user_headers(key, member_id="m2", organisations={"o2": "member"}),
        coordinator=user_headers(key, member_id="c1", coordinator=True),
    )


@pytest.fixture
def submissions_env(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("HTK_SUBMISSIONS_DATA_DIR", str(REPO / "data"))
    monkeypatch.setenv("HTK_SEARCH_URL", "http://127.0.0.1:1")  # no search service here
    return service_env


@pytest.fixture
async def service(
    submissions_env: dict[str, str],
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    svc = create_service()
    async with running(svc.app()) as client:
        await seed_catalogue(svc)
        yield svc, client


@pytest.fixture
def new_action() -> Any:
    return action


@pytest.fixture
def seed() -> Any:
    return seed_catalogue


def action(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Ikäihmisten kohtaamispaikka",
        "summary": "Viikoittainen kohtaamispaikka yksin asuville ikäihmisille.",
        "inequality_reduction": "Tavoittaa pienituloiset ja yksin asuvat, joilla on vähän palveluita.",
        "inequality_dimensions": ["socioeconomic", "age"],
        "target_groups": ["older_people"],
        "organisation_id": "o1",
        "contact_member_id": "m1",
        "measures": ["1.1.1", "3.1.1"],
        "municipalities": ["564"],
    }
    return {**base, **changes}
