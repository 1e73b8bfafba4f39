"""What an event must be, and who may announce or change it."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from htk_runtime.auth import User
from htk_runtime.errors import DomainError

HELSINKI = ZoneInfo("Europe/Helsinki")
LONGEST = timedelta(days=14)


def as_utc(value: datetime) -> datetime:
    """A time without an offset is Finnish time, as the form's fields are; stored in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=HELSINKI)
    return value.astimezone(UTC)


def check_event(data: dict[str, Any]) -> None:
    """The checks across fields (each field's own are in the request model)."""
    errors = []
    if data["ends_at"] <= data["starts_at"]:
        errors.append(
            {"field": "ends_at", "message": "The end must be after the start", "type": "order"}
        )
    elif data["ends_at"] - data["starts_at"] > LONGEST:
        errors.append(
            {"field": "ends_at", "message": "An event lasts at most 14 days", "type": "too_long"}
        )
    if not data.get("place", "").strip() and not data.get("online_url"):
        errors.append(
            {
                "field": "place",
                "message": "Give the place or the online link (or both)",
                "type": "missing",
            }
        )
    if errors:
        raise DomainError(
            422, "Invalid input: " + ", ".join(e["field"] for e in errors), errors=errors
        )


def check_may_announce(user: User, organisation_id: str | None) -> None:
    """Coordinators announce for anyone; a member for an organisation they belong to."""
    if user.read_only:
        raise DomainError(403, "This API token may only read")
    if user.coordinator:
        return
    if not organisation_id:
        raise DomainError(
            422, "Choose the organisation the event is announced for", "organisation_id"
        )
    if not user.is_member_of(organisation_id):
        raise DomainError(
            403, "You can announce events only for your own organisation", "organisation_id"
        )


def check_may_change(user: User, event: dict[str, Any]) -> None:
    if user.coordinator:
        return
    owner = event.get("organisation_id")
    if not owner or not user.is_member_of(owner):
        raise DomainError(403, "Only the organisation's members and the coordinators can change it")
