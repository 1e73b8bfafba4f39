"""What an action is and the rules it must follow."""

from datetime import datetime
from typing import Annotated

from htk_contracts.actions import ActionState, Language, PublicAction
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MeasureCode = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]?\.[0-9]{1,2}\.[0-9]{1,2}$")]
CountyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class ActionInput(BaseModel):
    """An action as a member writes it."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(min_length=3, max_length=200)]
    summary: Annotated[Text, Field(min_length=10, max_length=1000)]
    inequality_reduction: Annotated[Text, Field(min_length=10, max_length=4000)]
    language: Language = Language.FI
    state: ActionState = ActionState.ONGOING
    organisation_id: Annotated[Text, Field(min_length=1, max_length=64)]
    measures: Annotated[list[MeasureCode], Field(min_length=1, max_length=20)]
    national: bool = False
    counties: Annotated[list[CountyCode], Field(max_length=30)] = []
    municipalities: Annotated[list[MunicipalityCode], Field(max_length=400)] = []

    @model_validator(mode="after")
    def has_a_place(self) -> "ActionInput":
        if not (self.national or self.counties or self.municipalities):
            raise ValueError(
                "where the action happens is missing: set national, counties or municipalities"
            )
        return self


def derive_plan_levels(measures: list[str]) -> tuple[list[str], list[str]]:
    """Sub-goals and priorities follow from measure codes: 3.2.4 is under 3.2, under 3."""
    sub_goals = sorted({m.rsplit(".", 1)[0] for m in measures})
    priorities = sorted({m.split(".", 1)[0] for m in measures})
    return sub_goals, priorities


def public_snapshot(
    action_id: str, version: int, data: ActionInput, published_at: datetime
) -> PublicAction:
    sub_goals, priorities = derive_plan_levels(data.measures)
    return PublicAction(
        action_id=action_id,
        version=version,
        title=data.title,
        summary=data.summary,
        inequality_reduction=data.inequality_reduction,
        language=data.language,
        state=data.state,
        organisation_id=data.organisation_id,
        plan_version=1,  # the catalogue's read copy supplies the current version later
        measures=sorted(set(data.measures)),
        sub_goals=sub_goals,
        priorities=priorities,
        national=data.national,
        counties=sorted(set(data.counties)),
        municipalities=sorted(set(data.municipalities)),
        published_at=published_at,
        updated_at=published_at,
        confirmed_at=published_at,
    )
