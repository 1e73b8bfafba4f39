"""The kinds of notification: which event tells whom what.

``KINDS`` maps an event type to a :class:`Kind`: its name (the preference a member sets, and the
prefix of its messages ``notify.<name>.subject``, ``.body`` and ``.line`` in
``messages/notify/<lang>.json``), how to find the recipients (member ids), what the mail needs
to say (``details``, read once per event), and the delivery a member gets before choosing.

Events on the public topics carry no personal data, so who submitted an action and the
coordinator's comment are read from submissions when the notification is made (``action``).
Membership requests and decisions are read from the changes in a member's memberships between
two ``catalogue.members.v1`` events (``membership_notices``).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from htk_contracts.actions import ACTION_PUBLISHED, ACTION_RETURNED, ACTION_SUBMITTED
from htk_gateway.members import MemberCopies
from htk_gateway.upstream import Upstreams
from htk_runtime.auth import HEADER, User, sign

MEMBERSHIP_REQUESTED = "fi.htk.gateway.membership.requested"
MEMBERSHIP_APPROVED = "fi.htk.gateway.membership.approved"
MEMBERSHIP_REJECTED = "fi.htk.gateway.membership.rejected"


class Delivery(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NEVER = "never"


@dataclass(frozen=True)
class Notice:
    """One event to notify of: its id keys everything sent for it."""

    id: str
    type: str
    subject: str
    version: int
    at: datetime
    data: dict[str, Any]


class Sources:
    """What the kinds read: the members' read copy and the services, as the notifier."""

    def __init__(self, members: MemberCopies, upstreams: Upstreams, private_key: str) -> None:
        self.members = members
        self.upstreams = upstreams
        self.private_key = private_key

    async def read(self, service: str, path: str) -> Any:
        # A coordinator's view without a person behind it: only working copies and history are
        # read, to name the submitter and the comment in the mail.
        user = User(member_id="system:notify", coordinator=True)
        answer = await self.upstreams.call(
            service, "GET", path, headers={HEADER: sign(user, self.private_key, 60)}
        )
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        return answer.json()


Details = Callable[[Sources, Notice], Awaitable[dict[str, Any] | None]]
Recipients = Callable[[Sources, Notice, dict[str, Any]], Awaitable[list[str]]]


@dataclass(frozen=True)
class Kind:
    name: str
    details: Details
    recipients: Recipients
    default: Delivery = Delivery.IMMEDIATE


# Details: the values a kind's messages use; ``path`` is the page the mail links to. A value
# that is a dict of names in fi/sv/en is shown in the recipient's language. None: nothing to say.


async def action(sources: Sources, notice: Notice) -> dict[str, Any] | None:
    found = await sources.read("submissions", f"/actions/{notice.subject}")
    history = await sources.read("submissions", f"/actions/{notice.subject}/history")
    if not found or history is None:
        return None
    steps = [v for v in history.get("versions", []) if v.get("version", 0) <= notice.version]
    submits = [v for v in steps if v.get("step") == "submit"]
    creators = [v for v in steps if v.get("step") == "create"]
    this: dict[str, Any] = next((v for v in steps if v.get("version") == notice.version), {})
    submitter = (submits or creators or [{}])[-1].get("by")
    public = notice.type == ACTION_PUBLISHED
    return {
        "title": (found.get("content") or {}).get("title") or notice.subject,
        "comment": (this.get("comment") or "") if notice.type == ACTION_RETURNED else "",
        "submitter": submitter,
        "path": f"/actions/{notice.subject}" if public else f"/my/actions/{notice.subject}",
    }


async def membership(sources: Sources, notice: Notice) -> dict[str, Any] | None:
    organisation_id = notice.data["organisation_id"]
    found = await sources.read("catalogue", f"/organisations/{organisation_id}") or {}
    names = {
        lang: found.get(f"name_{lang}") or found.get("name_fi") or organisation_id
        for lang in ("fi", "sv", "en")
    }
    if notice.type != MEMBERSHIP_REQUESTED:
        path = "/welcome"
    elif await sources.members.admins_of(organisation_id):
        path = "/my/members"
    else:
        path = "/coordinator"  # a proposed organisation, or one without admins
    return {
        "organisation": names,
        "organisation_id": organisation_id,
        "name": notice.data.get("name") or "",
        "path": path,
    }


# Recipients.


async def coordinators(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    return [m for m in await sources.members.coordinators() if m != details.get("submitter")]


async def submitter(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    found = details.get("submitter")
    return [found] if found and await sources.members.get(found) else []


async def deciders(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    """An organisation's admins decide who joins it; with none (or a proposed organisation),
    the coordinators do."""
    admins = await sources.members.admins_of(details["organisation_id"])
    return admins or await sources.members.coordinators()


async def asker(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    return [notice.subject]


KINDS: dict[str, Kind] = {
    ACTION_SUBMITTED: Kind("action_submitted", action, coordinators),
    ACTION_RETURNED: Kind("action_returned", action, submitter),
    ACTION_PUBLISHED: Kind("action_published", action, submitter),
    MEMBERSHIP_REQUESTED: Kind("membership_requested", membership, deciders),
    MEMBERSHIP_APPROVED: Kind("membership_approved", membership, asker),
    MEMBERSHIP_REJECTED: Kind("membership_rejected", membership, asker),
}


def kind_names() -> list[str]:
    return sorted({k.name for k in KINDS.values()})


def default_of(name: str) -> Delivery:
    return next((k.default for k in KINDS.values() if k.name == name), Delivery.IMMEDIATE)


def membership_notices(
    old: dict[str, Any] | None,
    envelope_id: str,
    member_id: str,
    version: int,
    at: datetime,
    data: dict[str, Any],
) -> list[Notice]:
    """Requests and decisions, from how a member's memberships changed since the copy held."""
    if data.get("kind") != "member":
        return []
    was_pending = set((old or {}).get("pending") or [])
    notices = []
    for m in data.get("memberships", []):
        org, status = m["organisation_id"], m["status"]
        type_ = None
        if status == "pending" and org not in was_pending:
            type_ = MEMBERSHIP_REQUESTED
        elif status == "approved" and org in was_pending:
            type_ = MEMBERSHIP_APPROVED
        elif status == "rejected" and org in was_pending:
            type_ = MEMBERSHIP_REJECTED
        if type_:
            notices.append(
                Notice(
                    id=f"{envelope_id}:{org}",
                    type=type_,
                    subject=member_id,
                    version=version,
                    at=at,
                    data={"organisation_id": org, "name": data.get("name")},
                )
            )
    return notices
