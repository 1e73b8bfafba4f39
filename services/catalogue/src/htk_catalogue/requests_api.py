"""The coordinators' one list of everything waiting for a decision: organisations proposed and
requests to join, whichever organisation they concern. Requests to join an organisation that
has no admin (or is itself a proposal) can only be decided here."""

from typing import Any

from fastapi import APIRouter

from htk_catalogue.catalogue import CatalogueDep
from htk_catalogue.organisation_schemas import PendingRequests
from htk_contracts.catalogue import MembershipRole, MembershipStatus, OrganisationStatus
from htk_runtime.auth import Coordinator
from htk_runtime.errors import error_answers

router = APIRouter(tags=["organisations"])

LIMIT = 500


def _person(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    if doc is None or doc.get("erased"):
        return None
    return {
        "id": doc["_id"],
        "name": doc["name"],
        "email": doc["email"],
        "language": doc["language"],
        "confirmed": doc.get("confirmed", True),
    }


@router.get("/requests", response_model=PendingRequests, responses=error_answers(401, 403))
async def pending_requests(user: Coordinator, catalogue: CatalogueDep) -> dict[str, Any]:
    """``{"organisations": [...], "memberships": [...]}``, oldest first. A proposal lists its
    proposer, Business ID and home municipality or county; a request to join names the
    person, the organisation and whether it has an admin who could decide it too."""
    # A queue a coordinator works through, bounded rather than paged: it is decided away.
    proposed = await catalogue.organisations.page(OrganisationStatus.PROPOSED, LIMIT, None)
    proposed = proposed[:LIMIT]
    waiting = await catalogue.members.pending()
    people = {doc["_id"]: doc for doc in waiting}
    organisations = []
    for org in sorted(proposed, key=lambda o: o["created_at"]):
        proposer = people.get(org.get("proposed_by") or "") or (
            await catalogue.members.get(org.get("proposed_by") or "")
        )
        organisations.append(
            {
                "id": org["_id"],
                **{
                    k: org.get(k)
                    for k in (
                        "name_fi",
                        "name_sv",
                        "type",
                        "business_id",
                        "municipality",
                        "county",
                        "website",
                        "created_at",
                    )
                },
                "proposer": _person(proposer),
            }
        )
    memberships = []
    org_cache: dict[str, dict[str, Any] | None] = {}
    admins: dict[str, bool] = {}
    for doc in waiting:
        for m in doc["memberships"]:
            if m["status"] != MembershipStatus.PENDING:
                continue
            org_id = m["organisation_id"]
            if org_id not in org_cache:
                org_cache[org_id] = await catalogue.organisations.get(org_id)
            found = org_cache[org_id]
            if found is None or (
                found.get("proposed_by") == doc["_id"] and m["role"] == MembershipRole.ADMIN
            ):
                continue  # a proposer's own request is decided with the proposal
            org = found
            if org_id not in admins:
                admin = {"organisation_id": org_id, "status": "approved", "role": "admin"}
                admins[org_id] = (
                    await catalogue.members.members.count_documents(
                        {"memberships": {"$elemMatch": admin}, "erased": False}
                    )
                    > 0
                )
            memberships.append(
                {
                    "organisation": {
                        "id": org_id,
                        "name_fi": org["name_fi"],
                        "name_sv": org.get("name_sv"),
                        "status": org["status"],
                        "has_admin": admins[org_id],
                    },
                    "member": _person(doc),
                    "role": m["role"],
                    "requested_at": m.get("requested_at"),
                }
            )
    return {"organisations": organisations, "memberships": memberships}
