"""A member cannot reach another organisation's drafts through any route of the gateway, API or
page; the owner's members can. Runs the real submissions service in process behind the
gateway."""

import re
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
from htk_gateway.auth.csrf import token_for
from htk_gateway.main import create_service
from htk_submissions.main import create_service as create_submissions
from htk_submissions.settings import SubmissionsSettings
from htk_testing.runtime import received, running

REPO = Path(__file__).resolve().parents[3]
SECRET = "test-gateway-secret"
HTML = {"accept": "text/html"}


def envelope(subject: str, data: Any) -> Envelope[dict[str, Any]]:
    return received("/catalogue", "fi.htk.test.changed.v1", subject, 1, data)


def member(member_id: str, organisation_id: str) -> Member:
    return Member(
        member_id=member_id,
        name=member_id,
        email=f"{member_id}@example.org",
        language="fi",
        memberships=[Membership(organisation_id=organisation_id, role="member", status="approved")],
    )


@pytest.fixture
def env(
    service_env: dict[str, str],
    token_keys: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HTK_TOKEN_PRIVATE_KEY", token_keys[0])
    monkeypatch.setenv("HTK_GATEWAY_SECRET", SECRET)
    monkeypatch.setenv("HTK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("HTK_SUBMISSIONS_URL", "http://submissions.test")
    for name in ("CATALOGUE", "SEARCH", "REPORTING"):
        monkeypatch.setenv(f"HTK_{name}_URL", "http://127.0.0.1:1")


async def test_another_organisations_draft_is_out_of_reach(env: None) -> None:
    database = f"{__import__('os').environ['HTK_MONGO_DATABASE']}_sub"
    submissions = create_submissions(
        SubmissionsSettings(mongo_database=database, submissions_data_dir=REPO / "data")
    )
    gateway = create_service()
    sub_app, gw_app = submissions.app(), gateway.app()
    async with running(sub_app), running(gw_app) as client:
        copies = submissions.ctx().state["copies"]
        nodes = [
            PlanNode(code=c, level=lv, name=Names(fi=c, sv=c, en=c))
            for c, lv in (("1", "priority"), ("1.1", "sub_goal"), ("1.1.1", "measure"))
        ]
        plan = PlanVersion(
            version=1, created_at=datetime.now(UTC), change="t", example=True, nodes=nodes
        )
        await copies.apply_plan(envelope("plan", plan))
        for org in ("o1", "o2"):
            await copies.apply_organisation(
                envelope(
                    org,
                    Organisation(organisation_id=org, name_fi=org, type="ngo", status="approved"),
                )
            )
        for who, org in (("m1", "o1"), ("m2", "o2")):
            await copies.apply_member(envelope(who, member(who, org)))
            await gateway.ctx().state["members"].apply(envelope(who, member(who, org)))
        upstreams = gateway.ctx().state["upstreams"]
        await upstreams.client.aclose()
        upstreams.client = httpx.AsyncClient(
            mounts={"http://submissions.test": httpx.ASGITransport(app=sub_app)}
        )
        sessions = gateway.ctx().state["sessions"]
        owner, outsider = await sessions.start("m1"), await sessions.start("m2")

        client.cookies.set("htk_session", owner)
        draft = await client.post(
            "/api/v1/actions",
            headers={"X-CSRF-Token": token_for(SECRET, owner)},
            json={
                "title": "Salainen luonnos",
                "summary": "Luonnos, jota vain oma organisaatio näkee.",
                "inequality_reduction": "Tavoittaa ne, joita muut eivät tavoita.",
                "organisation_id": "o1",
                "measures": ["1.1.1"],
                "municipalities": ["564"],
            },
        )
        assert draft.status_code == 201, draft.text
        action_id = draft.json()["id"]
        assert (await client.get(f"/my/actions/{action_id}", headers=HTML)).status_code == 200

        client.cookies.set("htk_session", outsider)
        header = {"X-CSRF-Token": token_for(SECRET, outsider), "If-Match": '"1"'}
        api = {
            ("GET", f"/api/v1/actions/{action_id}"): 404,
            ("GET", f"/api/v1/actions/{action_id}/history"): 403,
            ("GET", f"/api/v1/actions/{action_id}/diff?from=1&to=1"): 403,
            ("GET", "/api/v1/actions?organisation_id=o1"): 403,
            ("PUT", f"/api/v1/actions/{action_id}"): 403,
            ("POST", f"/api/v1/actions/{action_id}/submit"): 403,
            ("POST", f"/api/v1/actions/{action_id}/withdraw"): 403,
        }
        for (method, path), status in api.items():
            body = draft.json()["content"] if method == "PUT" else None
            answer = await client.request(method, path, headers=header, json=body)
            assert answer.status_code == status, (method, path, answer.text)
            assert "Salainen" not in answer.text
        own = await client.get("/api/v1/actions")
        assert own.status_code == 200 and own.json()["items"] == []
        for page in (
            f"/my/actions/{action_id}",
            f"/my/actions/{action_id}/edit",
            f"/my/actions/{action_id}/history",
            f"/actions/{action_id}",
        ):
            answer = await client.get(page, headers=HTML)
            assert answer.status_code in (403, 404), (page, answer.status_code)
            assert "Salainen" not in answer.text
        listing = await client.get("/my/actions", headers=HTML)
        assert listing.status_code == 200 and "Salainen" not in listing.text
        token = token_for(SECRET, outsider)
        submit = await client.post(
            f"/my/actions/{action_id}/submit", data={"csrf": token, "version": "1"}, headers=HTML
        )
        assert submit.status_code in (403, 404) and "Salainen" not in submit.text
        edit = await client.post(
            f"/my/actions/{action_id}/edit",
            data={"csrf": token, "version": "1", "title": "Kaapattu", "organisation_id": "o1"},
            headers=HTML,
        )
        assert edit.status_code in (403, 404, 422) and "Salainen" not in edit.text

        client.cookies.set("htk_session", owner)
        still = await client.get(f"/api/v1/actions/{action_id}")
        assert still.json()["content"]["title"] == "Salainen luonnos"
        assert re.search(r"Salainen luonnos", (await client.get("/my/actions", headers=HTML)).text)
