"""Action and catalogue events built for tests, benchmarks and demos (never real data)."""

from datetime import UTC, datetime
from typing import Any

from htk_contracts.actions import (
    ACTION_DRAFTED,
    ACTION_PUBLISHED,
    ACTION_RETURNED,
    ACTION_SUBMITTED,
    ACTION_UPDATED,
    ACTION_WITHDRAWN,
    PublicAction,
)
from htk_contracts.catalogue import ORGANISATION_CHANGED, PLAN_VERSION_PUBLISHED
from htk_contracts.envelope import Envelope, new_envelope

TYPES = {
    "drafted": ACTION_DRAFTED,
    "submitted": ACTION_SUBMITTED,
    "returned": ACTION_RETURNED,
    "published": ACTION_PUBLISHED,
    "updated": ACTION_UPDATED,
    "withdrawn": ACTION_WITHDRAWN,
}


def _envelope(type_: str, subject: str, version: int, data: Any, at: datetime) -> Envelope[Any]:
    e = new_envelope(
        source="/samples", type=type_, subject=subject, aggregateversion=version, data=data
    )
    e.time = at
    return Envelope[dict[str, Any]].model_validate(e.model_dump(mode="json"))


def public_action(
    action_id: str,
    version: int,
    measures: list[str],
    *,
    at: datetime | None = None,
    organisation_id: str = "org-1",
    partners: list[str] | None = None,
    national: bool = False,
    counties: list[str] | None = None,
    municipalities: list[str] | None = None,
    target_groups: list[str] | None = None,
    dimensions: list[str] | None = None,
    confirmed_at: datetime | None = None,
    title: str | None = None,
) -> PublicAction:
    at = at or datetime.now(UTC)
    return PublicAction.model_validate(
        {
            "action_id": action_id,
            "version": version,
            "title": title or f"Toimenpide {action_id}",
            "summary": "Esimerkki",
            "inequality_reduction": "Esimerkki",
            "language": "fi",
            "state": "ongoing",
            "organisation_id": organisation_id,
            "partner_organisation_ids": partners or [],
            "plan_version": 1,
            "measures": measures,
            "sub_goals": sorted({m.rsplit(".", 1)[0] for m in measures}),
            "priorities": sorted({m.split(".", 1)[0] for m in measures}),
            "national": national,
            "counties": counties or [],
            "municipalities": municipalities or [],
            "target_groups": target_groups or [],
            "inequality_dimensions": dimensions or [],
            "published_at": at,
            "updated_at": at,
            "confirmed_at": confirmed_at or at,
        }
    )


def action_event(
    kind: str,
    action_id: str,
    version: int,
    measures: list[str] | None = None,
    *,
    at: datetime | None = None,
    **fields: Any,
) -> Envelope[dict[str, Any]]:
    at = at or datetime.now(UTC)
    if kind in ("published", "updated"):
        action = public_action(action_id, version, measures or ["1.1.1"], at=at, **fields)
        data: dict[str, Any] = {"kind": kind, "action": action.model_dump(mode="json")}
    else:
        data = {
            "kind": kind,
            "action_id": action_id,
            "organisation_id": fields.get("organisation_id", "org-1"),
            "at": at.isoformat(),
        }
    return _envelope(TYPES[kind], action_id, version, data, at)


def organisation_event(org_id: str, version: int, org_type: str) -> Envelope[dict[str, Any]]:
    data = {
        "kind": "organisation",
        "organisation_id": org_id,
        "name_fi": f"Organisaatio {org_id}",
        "type": org_type,
        "status": "approved",
    }
    return _envelope(ORGANISATION_CHANGED, org_id, version, data, datetime.now(UTC))


def plan_event(version: int, nodes: list[dict[str, Any]]) -> Envelope[dict[str, Any]]:
    full = [
        {
            "code": n["code"],
            "level": n.get("level") or ("priority", "sub_goal", "measure")[n["code"].count(".")],
            "name": {"fi": n.get("name", n["code"]), "sv": n["code"], "en": n["code"]},
            "state": n.get("state", "active"),
            "merged_into": n.get("merged_into"),
            "example": True,
        }
        for n in nodes
    ]
    data = {
        "kind": "plan_version",
        "version": version,
        "created_at": datetime.now(UTC).isoformat(),
        "change": "sample",
        "example": True,
        "nodes": full,
    }
    return _envelope(PLAN_VERSION_PUBLISHED, "plan", version, data, datetime.now(UTC))


def example_plan(version: int = 1) -> Envelope[dict[str, Any]]:
    """Four priorities, two sub-goals each, two measures each."""
    nodes = []
    for p in range(1, 5):
        nodes.append({"code": str(p)})
        for s in range(1, 3):
            nodes.append({"code": f"{p}.{s}"})
            nodes += [{"code": f"{p}.{s}.{m}"} for m in range(1, 3)]
    return plan_event(version, nodes)
