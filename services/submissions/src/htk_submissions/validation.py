"""Checks of an action's references against the catalogue's read copies and the geography.

Every problem is reported at once, each naming its field, so a form can mark them all.
"""

from typing import Any

from htk_runtime.auth import User
from htk_runtime.errors import DomainError
from htk_runtime.geography import Geography
from htk_submissions.domain import ActionContent
from htk_submissions.readcopies import CatalogueCopies, measure_state


async def check_references(
    content: ActionContent, copies: CatalogueCopies, geography: Geography
) -> int:
    """Raise 422 listing every unknown reference; return the current plan version."""
    plan = await copies.current_plan()
    if plan is None:
        raise DomainError(
            503,
            "The plan is not loaded yet, so measures cannot be checked. "
            "A coordinator loads it with `htk plan import`.",
            field="measures",
        )
    errors: list[dict[str, str]] = []

    def fail(field: str, message: str, code: str) -> None:
        # ``type`` names the rule, as pydantic's do, for messages in the reader's language.
        errors.append({"field": field, "message": message, "type": code})

    for i, code in enumerate(content.measures):
        state = measure_state(plan, code)
        if state is None:
            fail(
                f"measures.{i}",
                f"{code} is not a measure of plan version {plan['plan_version']}",
                "unknown_measure",
            )
        elif state != "active":
            fail(
                f"measures.{i}",
                f"measure {code} is {state} in the current plan",
                "inactive_measure",
            )
    if not await copies.organisation_approved(content.organisation_id):
        fail(
            "organisation_id",
            f"{content.organisation_id} is not an approved organisation",
            "unknown_organisation",
        )
    for i, partner in enumerate(content.partner_organisation_ids):
        if not await copies.organisation_approved(partner):
            fail(
                f"partner_organisation_ids.{i}",
                f"{partner} is not an approved organisation",
                "unknown_organisation",
            )
    for i, code in enumerate(content.counties):
        if code not in geography.counties:
            fail(
                f"counties.{i}", f"{code} is not a wellbeing services county code", "unknown_place"
            )
    for i, code in enumerate(content.municipalities):
        if code not in geography.municipalities:
            fail(
                f"municipalities.{i}",
                f"{code} is not a municipality code valid in 2026",
                "unknown_place",
            )
    if content.contact_member_id is not None:
        contact = await copies.member(content.contact_member_id)
        if contact is None or content.organisation_id not in contact["organisations"]:
            fail(
                "contact_member_id",
                "the contact must be a member of the owning organisation",
                "contact_not_member",
            )
    if errors:
        fields = ", ".join(e["field"] for e in errors)
        raise DomainError(422, f"Invalid input: {fields}", errors=errors)
    return int(plan["plan_version"])


def can_edit(user: User, document: dict[str, Any]) -> bool:
    return user.coordinator or user.is_member_of(document["organisation_id"])


def require_editor(user: User, document: dict[str, Any]) -> None:
    if not can_edit(user, document):
        raise DomainError(
            403, "Only members of the owning organisation and coordinators can do this"
        )


def require_member_of(user: User, organisation_id: str) -> None:
    if not (user.coordinator or user.is_member_of(organisation_id)):
        raise DomainError(
            403,
            "You can write actions only for organisations you are a member of",
            field="organisation_id",
        )
