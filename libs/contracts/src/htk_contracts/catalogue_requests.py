"""Requests and decisions about who belongs where, on ``catalogue.requests.v1``.

The state topics (``catalogue.organisations.v1``, ``catalogue.members.v1``) say what is true
now and are compacted; they cannot tell that a request was made or by whom it was decided.
These events say that something happened that needs someone's attention, so a notifier can
mail the right people in their language:

| event | who is told |
|---|---|
| ``fi.htk.organisation.proposed.v1`` | the coordinators (``deciders`` is empty: all of them) |
| ``fi.htk.organisation.decided.v1`` | the proposer (``member_id``), in ``language`` |
| ``fi.htk.membership.requested.v1`` | ``deciders`` (the organisation's admins), or the
  coordinators when ``coordinators_decide`` |
| ``fi.htk.membership.decided.v1`` | the person (``member_id``), in ``language`` |

People appear by member id only: names and addresses come from the reader's copy of
``catalogue.members.v1``, which honours erasure. Key (subject): the organisation id for the
organisation events, the member id for the membership events. Not compacted.
"""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from htk_contracts.actions import Language
from htk_contracts.catalogue import MembershipRole

ORGANISATION_PROPOSED = "fi.htk.organisation.proposed.v1"
ORGANISATION_DECIDED = "fi.htk.organisation.decided.v1"
MEMBERSHIP_REQUESTED = "fi.htk.membership.requested.v1"
MEMBERSHIP_DECIDED = "fi.htk.membership.decided.v1"


class OrganisationDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    # The proposer never confirmed their address; the proposal lapsed and its name is free.
    EXPIRED = "expired"


class MembershipDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    # An admin or a coordinator took an approved member out of the organisation.
    REMOVED = "removed"
    # The member's role changed (see ``role``).
    ROLE_CHANGED = "role_changed"


class OrganisationNames(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: str
    name_fi: str
    name_sv: str | None = None


class OrganisationProposed(OrganisationNames):
    kind: Literal["organisation_proposed"] = "organisation_proposed"
    member_id: str = Field(description="Who proposed it; they become its admin on approval")
    language: Language = Field(description="The proposer's language")
    business_id: str | None = None
    municipality: str | None = None
    county: str | None = None
    deciders: list[str] = Field(
        default_factory=list, description="Empty: every coordinator decides"
    )
    proposed_at: datetime


class OrganisationDecided(OrganisationNames):
    kind: Literal["organisation_decided"] = "organisation_decided"
    member_id: str | None = Field(description="The proposer, to be told; None if erased")
    language: Language = Field(description="The proposer's language")
    decision: OrganisationDecision
    decided_by: str = Field(description="A coordinator's member id, or 'expiry'")
    reason: str = ""
    decided_at: datetime


class MembershipRequested(OrganisationNames):
    kind: Literal["membership_requested"] = "membership_requested"
    member_id: str = Field(description="Who asks to join")
    language: Language = Field(description="The asker's language")
    role: MembershipRole
    deciders: list[str] = Field(description="The organisation's admins (member ids)")
    coordinators_decide: bool = Field(
        description="True when the organisation has no admin yet: the coordinators decide"
    )
    requested_at: datetime


class MembershipDecided(OrganisationNames):
    kind: Literal["membership_decided"] = "membership_decided"
    member_id: str = Field(description="Whom the decision concerns, to be told")
    language: Language = Field(description="Their language")
    decision: MembershipDecision
    role: MembershipRole
    decided_by: str = Field(description="Member id of the admin or coordinator")
    decided_at: datetime
