"""The catalogue's events: each is the whole current state of one aggregate, keyed by its id."""

from dataclasses import dataclass
from functools import partial
from typing import Any

from htk_contracts.catalogue import (
    MEMBER_CHANGED,
    MEMBER_ERASED,
    ORGANISATION_CHANGED,
    PLAN_SUBJECT,
    PLAN_VERSION_PUBLISHED,
    Member,
    MemberErased,
    Organisation,
    PlanVersion,
)
from htk_contracts.catalogue_requests import (
    MEMBERSHIP_DECIDED,
    MEMBERSHIP_REQUESTED,
    ORGANISATION_DECIDED,
    ORGANISATION_PROPOSED,
    MembershipDecided,
    MembershipRequested,
    OrganisationDecided,
    OrganisationProposed,
)
from htk_contracts.envelope import Envelope, event_envelope
from htk_contracts.topics import Topic

SOURCE = "/catalogue"


@dataclass(frozen=True)
class Topics:
    plan: str
    organisations: str
    members: str
    requests: str

    @classmethod
    def with_prefix(cls, prefix: str) -> "Topics":
        return cls(
            prefix + Topic.CATALOGUE_PLAN,
            prefix + Topic.CATALOGUE_ORGANISATIONS,
            prefix + Topic.CATALOGUE_MEMBERS,
            prefix + Topic.CATALOGUE_REQUESTS,
        )


_envelope = partial(event_envelope, SOURCE)


def plan_published(plan: PlanVersion) -> Envelope[Any]:
    return _envelope(PLAN_VERSION_PUBLISHED, PLAN_SUBJECT, plan.version, plan)


def organisation_changed(organisation: Organisation, version: int) -> Envelope[Any]:
    return _envelope(ORGANISATION_CHANGED, organisation.organisation_id, version, organisation)


def member_changed(member: Member, version: int) -> Envelope[Any]:
    return _envelope(MEMBER_CHANGED, member.member_id, version, member)


def member_erased(erased: MemberErased, version: int) -> Envelope[Any]:
    return _envelope(MEMBER_ERASED, erased.member_id, version, erased)


def organisation_proposed(event: OrganisationProposed, version: int) -> Envelope[Any]:
    return _envelope(ORGANISATION_PROPOSED, event.organisation_id, version, event)


def organisation_decided(event: OrganisationDecided, version: int) -> Envelope[Any]:
    return _envelope(ORGANISATION_DECIDED, event.organisation_id, version, event)


def membership_requested(event: MembershipRequested, version: int) -> Envelope[Any]:
    return _envelope(MEMBERSHIP_REQUESTED, event.member_id, version, event)


def membership_decided(event: MembershipDecided, version: int) -> Envelope[Any]:
    return _envelope(MEMBERSHIP_DECIDED, event.member_id, version, event)
