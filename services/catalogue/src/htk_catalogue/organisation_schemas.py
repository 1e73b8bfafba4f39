"""What people send about organisations, checked before anything is stored."""

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
from htk_contracts.catalogue import OrganisationStatus, OrganisationType
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
