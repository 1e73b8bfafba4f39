"""Events of ``submissions.partnerships.v1`` (key: action id): organisations asking to join an
existing action as partners, and the owner's decisions.

They live on their own topic because they need someone's attention (the owner's admins decide,
the asking organisation hears the answer) but change nothing public by themselves: an approval
also changes the public action, which ``submissions.actions.v1`` announces as ``updated``.
Projections of the action stream therefore never see them, and a notification service reads
only this topic. Member ids are carried (never names or addresses) so that the recipients can
be looked up in the catalogue's members.

Kinds, told apart by ``data.kind``:
- ``requested``: a member asked, for their organisation, to join; the owner's admins decide;
- ``decided``: the owner approved or rejected; the asking member and their organisation hear it.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PARTNERSHIP_REQUESTED = "fi.htk.partnership.requested.v1"
PARTNERSHIP_DECIDED = "fi.htk.partnership.decided.v1"


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class PartnershipRequested(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["requested"] = "requested"
    action_id: str
    title: str = Field(description="The action's public title, for the message")
    owner_organisation_id: str = Field(description="Its admins decide")
    partner_organisation_id: str = Field(description="The organisation asking to join")
    requested_by: str = Field(description="Member id of the asker")
    at: datetime


class PartnershipDecided(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["decided"] = "decided"
    action_id: str
    title: str
    owner_organisation_id: str
    partner_organisation_id: str
    requested_by: str = Field(description="Member id of the asker, who hears the decision")
    decision: Decision
    decided_by: str = Field(description="Member id of the owner's admin or coordinator")
    at: datetime


PartnershipEvent = Annotated[PartnershipRequested | PartnershipDecided, Field(discriminator="kind")]
