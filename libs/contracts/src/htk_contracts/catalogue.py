"""Events of the catalogue's compacted state topics. Each event is the aggregate's whole current
state, so the latest event per key is enough to rebuild a read copy.

- ``catalogue.plan.v1`` (key ``plan``): a new plan version, the whole tree. ``aggregateversion``
  is the plan version number.
- ``catalogue.organisations.v1`` (key: organisation id): an organisation as it is now.
- ``catalogue.members.v1`` (key: member id): a member and their memberships, or their erasure.
  This topic carries personal data (name, email) for the services' own read copies only; it is
  never exposed publicly, and an erasure event replaces it for good.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from htk_contracts.actions import Language

PLAN_VERSION_PUBLISHED = "fi.htk.plan.version_published.v1"
ORGANISATION_CHANGED = "fi.htk.organisation.changed.v1"
MEMBER_CHANGED = "fi.htk.member.changed.v1"
MEMBER_ERASED = "fi.htk.member.erased.v1"

PLAN_SUBJECT = "plan"


class Names(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fi: str
    sv: str
    en: str


class PlanLevel(StrEnum):
    PRIORITY = "priority"
    SUB_GOAL = "sub_goal"
    MEASURE = "measure"


class PlanNodeState(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    MERGED = "merged"


class PlanNode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Stable code: 3, 3.2, 3.2.4")
    level: PlanLevel
    name: Names
    description: str = ""
    responsible: list[str] = Field(default_factory=list, description="Responsible bodies")
    state: PlanNodeState = PlanNodeState.ACTIVE
    merged_into: str | None = Field(default=None, description="Code it was merged into")
    example: bool = Field(default=False, description="Example data, not the official plan")


class PlanVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["plan_version"] = "plan_version"
    version: int = Field(ge=1)
    created_at: datetime
    change: str = Field(description="What changed, e.g. 'import example-plan.csv'")
    example: bool = Field(description="True when any node is example data")
    nodes: list[PlanNode] = Field(description="Every node of the plan, parents before children")


class OrganisationType(StrEnum):
    MINISTRY = "ministry"
    REGIONAL_STATE_ADMINISTRATIVE_AGENCY = "regional_state_administrative_agency"
    MUNICIPALITY = "municipality"
    WELLBEING_SERVICES_COUNTY = "wellbeing_services_county"
    HOSPITAL_DISTRICT = "hospital_district"
    NGO = "ngo"
    EDUCATION_INSTITUTION = "education_institution"
    EXPERT_ORGANISATION = "expert_organisation"
    COMPANY = "company"
    OTHER = "other"


class OrganisationStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["organisation"] = "organisation"
    organisation_id: str
    name_fi: str
    name_sv: str | None = None
    type: OrganisationType
    business_id: str | None = Field(default=None, description="Y-tunnus, e.g. 0245437-2")
    municipality: str | None = Field(default=None, description="Home municipality code")
    county: str | None = Field(default=None, description="Home wellbeing services county code")
    website: str | None = None
    status: OrganisationStatus


class MembershipRole(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class MembershipStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Membership(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: str
    role: MembershipRole
    status: MembershipStatus


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["member"] = "member"
    member_id: str
    name: str
    email: str
    language: Language
    coordinator: bool = False
    memberships: list[Membership] = Field(default_factory=list)

    def approved_roles(self) -> dict[str, str]:
        """Organisation id -> role, for the memberships that count (approved ones)."""
        return {
            m.organisation_id: m.role.value
            for m in self.memberships
            if m.status == MembershipStatus.APPROVED
        }


class MemberErased(BaseModel):
    """Replaces every earlier event of the member: read copies drop the personal data."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["erased"] = "erased"
    member_id: str
    erased_at: datetime


MemberEvent = Annotated[Member | MemberErased, Field(discriminator="kind")]
