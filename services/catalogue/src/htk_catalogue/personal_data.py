"""Everything the catalogue holds about one person, for them to download.

Plan versions and organisation decisions record who acted by member id only; those ids are
listed here too, and after an erasure they no longer lead to a name or an address.
"""

from datetime import UTC, datetime
from typing import Any

from htk_catalogue.member_store import MemberStore
from htk_catalogue.organisation_store import OrganisationStore
from htk_catalogue.plan_store import PlanStore

INTERNAL = ("email_key", "erased")


async def export(
    member_id: str, members: MemberStore, organisations: OrganisationStore, plan: PlanStore
) -> dict[str, Any]:
    member = await members.require(member_id)
    profile = {k: v for k, v in member.items() if k not in INTERNAL and k != "_id"}
    names = {
        org["_id"]: org["name_fi"]
        for org in await organisations.organisations.find(
            {"_id": {"$in": [m["organisation_id"] for m in member["memberships"]]}}
        ).to_list()
    }
    for membership in profile["memberships"]:
        membership["organisation_name"] = names.get(membership["organisation_id"])
    proposed = await organisations.organisations.find(
        {"proposed_by": member_id}, {"name_fi": 1, "status": 1, "created_at": 1}
    ).to_list()
    decided = await organisations.organisations.find(
        {"decided_by": member_id}, {"name_fi": 1, "status": 1, "decided_at": 1}
    ).to_list()
    plan_changes = await plan.versions.find(
        {"created_by": member_id}, {"change": 1, "created_at": 1}
    ).to_list()
    return {
        "exported_at": datetime.now(UTC),
        "member_id": member_id,
        "profile": profile,
        "organisations_proposed": [_public(o) for o in proposed],
        "organisation_decisions": [_public(o) for o in decided],
        "plan_changes": [
            {"version": p["_id"], "change": p["change"], "created_at": p["created_at"]}
            for p in plan_changes
        ],
    }


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {("id" if k == "_id" else k): v for k, v in doc.items()}
