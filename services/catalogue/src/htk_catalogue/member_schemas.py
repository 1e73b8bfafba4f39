"""What people send about themselves and their memberships."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from htk_catalogue.organisation_schemas import OrganisationInput, OrganisationOut
from htk_catalogue.text import normalise_email
from htk_contracts.actions import Language
from htk_contracts.catalogue import MembershipRole, MembershipStatus
from htk_runtime.text import public_text

PersonName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(public_text),
]
OrganisationId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
]


class Registration(BaseModel):
    """Someone joining: themselves, and either an organisation to join or a new one to propose."""

    model_config = ConfigDict(extra="forbid")

    name: PersonName
    email: str
    language: Language = Language.FI
    organisation_id: OrganisationId | None = None
    new_organisation: OrganisationInput | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName | None = None
    email: str | None = None
    language: Language | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value) if value is not None else None


class JoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: OrganisationId


class MembershipDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    role: MembershipRole = Field(default=MembershipRole.MEMBER, description="member or admin")


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: MembershipRole


class CoordinatorChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coordinator: bool


class EmailLookup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str


class MembershipOut(BaseModel):
    organisation_id: str
    role: MembershipRole
    status: MembershipStatus
    requested_at: datetime | None = None
    decided_at: datetime | None = None


class MemberOut(BaseModel):
    id: str
    version: int
    name: str
    email: str
    language: Language
    coordinator: bool
    memberships: list[MembershipOut]
    created_at: datetime
    updated_at: datetime | None = None
    confirmed: bool = Field(description="Whether they have followed the link mailed to them")


class Registered(BaseModel):
    member: MemberOut
    organisation: OrganisationOut | None = Field(description="The organisation they proposed")


class Claims(BaseModel):
    """What the gateway signs into a user token: approved memberships only."""

    member_id: str
    language: Language
    coordinator: bool
    organisations: dict[str, MembershipRole] = Field(description="Organisation id to role")


class Erased(BaseModel):
    member_id: str
    erased_at: datetime


class ExportedMembership(MembershipOut):
    organisation_name: str | None = None


class ExportedProfile(BaseModel):
    model_config = ConfigDict(extra="allow")  # every stored field, whatever the version

    name: str
    email: str
    language: Language
    coordinator: bool
    memberships: list[ExportedMembership]
    created_at: datetime


class MemberExport(BaseModel):
    """Everything the catalogue holds about one person (sent as a file to download)."""

    exported_at: datetime
    member_id: str
    profile: ExportedProfile
    organisations_proposed: list[dict[str, Any]]
    organisation_decisions: list[dict[str, Any]]
    plan_changes: list[dict[str, Any]]
