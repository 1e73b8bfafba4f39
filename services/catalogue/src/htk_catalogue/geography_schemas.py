"""What the geography routes answer: municipalities valid in 2026 and wellbeing services
counties."""

from pydantic import BaseModel, Field


class County(BaseModel):
    code: str = Field(description="Wellbeing services county code, e.g. 06")
    name_fi: str
    name_sv: str
    name_en: str


class CountyDetail(County):
    municipalities: list[str] = Field(description="Codes of its municipalities")


class Municipality(BaseModel):
    code: str = Field(description="Municipality code, e.g. 091")
    name_fi: str
    name_sv: str
    name_en: str
    county_code: str
    region_code: str
