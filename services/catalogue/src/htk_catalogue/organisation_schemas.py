"""What people send about organisations, checked before anything is stored."""

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
)

from htk_catalogue.business_id import normalise_business_id
from htk_contracts.catalogue import (
    MembershipRole,
    MembershipStatus,
    OrganisationStatus,
    OrganisationType,
)
from htk_runtime.text import public_text

# Organisation names are public (pages, API, open data): plain text, no hidden characters.
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=200),
    AfterValidator(public_text),
]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
CountyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]


class OrganisationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_sv: Name | None = None
    business_id: Annotated[str | None, Field(description="Y-tunnus, e.g. 0245437-2")] = None
    municipality: Annotated[MunicipalityCode | None, Field(description="e.g. 091")] = None
    county: Annotated[CountyCode | None, Field(description="Wellbeing services county")] = None
    website: HttpUrl | None = None

    @field_validator("business_id")
    @classmethod
    def _business_id(cls, value: str | None) -> str | None:
        return normalise_business_id(value) if value else None


class OrganisationInput(OrganisationFields):
    name_fi: Name
    type: OrganisationType


class OrganisationUpdate(OrganisationFields):
    """Only the fields sent change; send null to clear an optional one."""

    name_fi: Name | None = None
    type: OrganisationType | None = None


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: OrganisationStatus = Field(description="approved or rejected")
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""


class OrganisationOut(BaseModel):
    """An organisation; who proposed and decided it only for its admins and coordinators."""

    id: str
    name_fi: str
    name_sv: str | None = None
    type: OrganisationType
    business_id: str | None = None
    municipality: str | None = None
    county: str | None = None
    website: str | None = None
    status: OrganisationStatus
    version: int
    created_at: datetime
    updated_at: datetime | None = None
    proposed_by: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


class MembershipRow(BaseModel):
    """A member of an organisation, or someone asking to join it."""

    member_id: str
    name: str
    email: str
    role: MembershipRole
    status: MembershipStatus
    requested_at: datetime | None = None
    confirmed: bool = Field(description="Whether they have followed the link mailed to them")


class Person(BaseModel):
    id: str
    name: str
    email: str
    language: str
    confirmed: bool


class Proposal(BaseModel):
    """An organisation proposed and waiting for a coordinator."""

    id: str
    name_fi: str
    name_sv: str | None = None
    type: OrganisationType
    business_id: str | None = None
    municipality: str | None = None
    county: str | None = None
    website: str | None = None
    created_at: datetime
    proposer: Person | None = Field(description="Null once the proposer's data is erased")


class RequestedOrganisation(BaseModel):
    id: str
    name_fi: str
    name_sv: str | None = None
    status: OrganisationStatus
    has_admin: bool = Field(description="Whether its own admins could decide the request too")


class JoinRequestRow(BaseModel):
    organisation: RequestedOrganisation
    member: Person | None
    role: MembershipRole
    requested_at: datetime | None = None


class PendingRequests(BaseModel):
    """Everything waiting for a coordinator, oldest first (at most 500 of each)."""

    organisations: list[Proposal]
    memberships: list[JoinRequestRow]
