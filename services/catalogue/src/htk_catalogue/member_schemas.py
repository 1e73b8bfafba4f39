"""What people send about themselves and their memberships."""

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from htk_catalogue.organisation_schemas import OrganisationInput
from htk_catalogue.text import normalise_email
from htk_contracts.actions import Language
from htk_contracts.catalogue import MembershipRole
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
