"""How organisations and members look over HTTP; internal keys stay inside."""

from typing import Any

from htk_runtime.auth import User

ORGANISATION_PUBLIC = (
    "name_fi",
    "name_sv",
    "type",
    "business_id",
    "municipality",
    "county",
    "website",
    "status",
    "version",
    "created_at",
    "updated_at",
)
ORGANISATION_PRIVATE = ("proposed_by", "decided_by", "decided_at")
MEMBERSHIP_FIELDS = ("organisation_id", "role", "status", "requested_at", "decided_at")


def organisation_view(doc: dict[str, Any], user: User | None) -> dict[str, Any]:
    view = {"id": doc["_id"], **{k: doc.get(k) for k in ORGANISATION_PUBLIC}}
    if user is not None and (user.coordinator or user.is_admin_of(doc["_id"])):
        view.update({k: doc.get(k) for k in ORGANISATION_PRIVATE})
    return view


def member_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["_id"],
        "version": doc["version"],
        "name": doc["name"],
        "email": doc["email"],
        "language": doc["language"],
        "coordinator": doc["coordinator"],
        "memberships": [{k: m.get(k) for k in MEMBERSHIP_FIELDS} for m in doc["memberships"]],
        "created_at": doc["created_at"],
        "updated_at": doc.get("updated_at"),
        "confirmed": doc.get("confirmed", True),
    }
