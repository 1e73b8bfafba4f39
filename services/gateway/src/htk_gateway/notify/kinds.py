"""The kinds of notification: which event tells whom what.

``KINDS`` maps an event type to a :class:`Kind`: its name (the preference a member sets, and the
prefix of its messages ``notify.<name>.subject``, ``.body`` and ``.line`` in
``messages/notify/<lang>.json``), how to find the recipients (member ids), what the mail needs
to say (``details``, read once per event), and the delivery a member gets before choosing.

Events on the public topics carry no personal data, so who submitted an action and the
coordinator's comment are read from submissions when the notification is made (``action``).
Requests and decisions about organisations and memberships come on ``catalogue.requests.v1``
(contracts in ``htk_contracts.catalogue_requests``; their types are written out here so that
this table does not depend on the module): they name the people by member id, and whom to tell.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from htk_contracts.actions import ACTION_PUBLISHED, ACTION_RETURNED, ACTION_SUBMITTED
from htk_contracts.topics import Topic
from htk_gateway.api.upstream import Upstreams
from htk_gateway.auth.members import MemberCopies
from htk_gateway.pages.discussion_links import subject_page
from htk_runtime.auth import HEADER, User, sign
from htk_runtime.listing import MAX_LIMIT

# On catalogue.requests.v1 (htk_contracts.catalogue_requests).
REQUESTS_TOPIC = Topic.CATALOGUE_REQUESTS.value
ORGANISATION_PROPOSED = "fi.htk.organisation.proposed.v1"
ORGANISATION_DECIDED = "fi.htk.organisation.decided.v1"
MEMBERSHIP_REQUESTED = "fi.htk.membership.requested.v1"
MEMBERSHIP_DECIDED = "fi.htk.membership.decided.v1"
# On submissions.partnerships.v1 (htk_contracts.partnerships).
PARTNERSHIPS_TOPIC = Topic.SUBMISSIONS_PARTNERSHIPS.value
PARTNERSHIP_REQUESTED = "fi.htk.partnership.requested.v1"
PARTNERSHIP_DECIDED = "fi.htk.partnership.decided.v1"
# On community.discussion.v1 (htk_contracts.community).
DISCUSSION_TOPIC = Topic.COMMUNITY_DISCUSSION.value
MESSAGE_POSTED = "fi.htk.discussion_message.posted.v1"
MESSAGE_REPORTED = "fi.htk.discussion_message.reported.v1"


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

    async def read(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        # A coordinator's view without a person behind it: only working copies and history are
        # read, to name the submitter and the comment in the mail.
        user = User(member_id="system:notify", coordinator=True)
        answer = await self.upstreams.call(
            service,
            "GET",
            path,
            params=params,
            headers={HEADER: sign(user, self.private_key, 60)},
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
    if not found:
        return None
    # The history is a list of pages, oldest first: read up to the version the notice is about.
    versions: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": MAX_LIMIT}
    while True:
        # The query as parameters: the path is quoted, so a "?" in it would be sent as %3F.
        page = await sources.read("submissions", f"/actions/{notice.subject}/history", query)
        if page is None:
            return None
        versions += page.get("items", [])
        reached = bool(versions) and versions[-1].get("version", 0) >= notice.version
        if reached or not page.get("next_cursor"):
            break
        query["cursor"] = page["next_cursor"]
    steps = [v for v in versions if v.get("version", 0) <= notice.version]
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


async def request(sources: Sources, notice: Notice) -> dict[str, Any] | None:
    """An organisation proposed or decided, a membership asked for or decided: the event
    carries the organisation's names; the person's name comes from the members' copy, so an
    erased person is never named."""
    data = notice.data
    organisation_id = data["organisation_id"]
    names = {
        "fi": data.get("name_fi") or organisation_id,
        "sv": data.get("name_sv") or data.get("name_fi") or organisation_id,
        "en": data.get("name_fi") or organisation_id,
    }
    person = await sources.members.get(data["member_id"]) if data.get("member_id") else None
    if notice.type == ORGANISATION_PROPOSED:
        path = "/coordinator"
    elif notice.type == MEMBERSHIP_REQUESTED:
        path = "/coordinator" if data.get("coordinators_decide") else "/my/members"
    else:
        path = "/welcome"
    decision = data.get("decision")
    return {
        "organisation": names,
        "organisation_id": organisation_id,
        "name": (person or {}).get("name") or "",
        "reason": data.get("reason") or "",
        # A decision's messages differ by what was decided: notify.<kind>_<decision>.*
        "message": f"{data['kind']}_{decision}" if decision else data["kind"],
        "path": path,
    }


async def partnership(sources: Sources, notice: Notice) -> dict[str, Any] | None:
    """An organisation asks to join an action as a partner, or hears the owner's answer: the
    event names the organisations by id, their names come from the catalogue."""
    data = notice.data
    partner_id = data["partner_organisation_id"]
    found = await sources.read("catalogue", f"/organisations/{partner_id}") or {}
    name_fi = found.get("name_fi") or partner_id
    decision = data.get("decision")
    return {
        "title": data.get("title") or data["action_id"],
        "organisation": {"fi": name_fi, "sv": found.get("name_sv") or name_fi, "en": name_fi},
        "message": f"partnership_decided_{decision}" if decision else "partnership_requested",
        # The owner's admins decide on the action's own page; the asker sees the public one.
        "path": f"/my/actions/{data['action_id']}"
        if not decision
        else f"/actions/{data['action_id']}",
    }


async def discussion(sources: Sources, notice: Notice) -> dict[str, Any] | None:
    """A new message in a followed discussion, or a report for the coordinators: the event
    names people by member id only; community tells what it is about and who follows it."""
    found = await sources.read("community", f"/discussions/messages/{notice.subject}/notice")
    if not found:
        return None
    reported = notice.type == MESSAGE_REPORTED
    page = subject_page(found["subject_kind"], found["subject_ref"])
    return {
        "title": found["title"],
        "path": "/coordinator/reports" if reported else f"{page}#thread-{found['thread_id']}",
        # Not shown: whom to tell, and who wrote it (never told of their own message).
        "_followers": found["followers"],
        "submitter": notice.data.get("reported_by") if reported else found.get("author_id"),
    }


# Recipients.


async def coordinators(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    return [m for m in await sources.members.coordinators() if m != details.get("submitter")]


async def submitter(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    found = details.get("submitter")
    return [found] if found and await sources.members.get(found) else []


async def deciders(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    """Those the event names; none named (a proposal), or no admin yet: the coordinators."""
    named = list(notice.data.get("deciders") or [])
    if notice.data.get("coordinators_decide") or not named:
        return await sources.members.coordinators()
    return named


async def the_person(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    member_id = notice.data.get("member_id")
    return [member_id] if member_id else []


async def owners(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    """The owning organisation's admins decide on partners; without one, the coordinators."""
    admins = await sources.members.admins_of(notice.data["owner_organisation_id"])
    return admins or await sources.members.coordinators()


async def asker(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    """The member who asked and their organisation's admins, each once."""
    admins = await sources.members.admins_of(notice.data["partner_organisation_id"])
    return list(dict.fromkeys([notice.data["requested_by"], *admins]))


async def followers(sources: Sources, notice: Notice, details: dict[str, Any]) -> list[str]:
    return [m for m in details.get("_followers", []) if m != details.get("submitter")]


KINDS: dict[str, Kind] = {
    ACTION_SUBMITTED: Kind("action_submitted", action, coordinators),
    ACTION_RETURNED: Kind("action_returned", action, submitter),
    ACTION_PUBLISHED: Kind("action_published", action, submitter),
    ORGANISATION_PROPOSED: Kind("organisation_proposed", request, deciders),
    ORGANISATION_DECIDED: Kind("organisation_decided", request, the_person),
    MEMBERSHIP_REQUESTED: Kind("membership_requested", request, deciders),
    MEMBERSHIP_DECIDED: Kind("membership_decided", request, the_person),
    PARTNERSHIP_REQUESTED: Kind("partnership_requested", partnership, owners),
    PARTNERSHIP_DECIDED: Kind("partnership_decided", partnership, asker),
    MESSAGE_POSTED: Kind("discussion_message", discussion, followers),
    MESSAGE_REPORTED: Kind("discussion_reported", discussion, coordinators),
}


def kind_names() -> list[str]:
    return sorted({k.name for k in KINDS.values()})


def default_of(name: str) -> Delivery:
    return next((k.default for k in KINDS.values() if k.name == name), Delivery.IMMEDIATE)
