"""What an action is and the rules its content follows."""

import re
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from htk_contracts.actions import (
    ActionState,
    InequalityDimension,
    Language,
    Link,
    LinkKind,
    PublicAction,
    TargetGroup,
)
from htk_runtime.text import PublicText, check_visible, clean_text

MeasureCode = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]?\.[0-9]{1,2}\.[0-9]{1,2}$")]
CountyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


# Text fields hold text: any HTML is removed (to a fixed point, so a publish that validates the
# stored draft again changes nothing), entities are kept as the characters, and control and
# format characters are refused with the field named.
PlainText = PublicText

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(\s*([^)\s]*)[^)]*\)")


def sanitise_markdown(value: str) -> str:
    """The description is a safe Markdown subset: no HTML, links only to http(s) and mailto.

    Like the text fields it is cleaned to a fixed point: taking out a link can join the text
    around it into a new one (``[[a](javascript:x)](javascript:y)``), so the passes repeat
    until nothing changes."""

    def safe_link(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        scheme = urlsplit(target).scheme.lower()
        return match.group(0) if scheme in ("http", "https", "mailto") else label

    text = check_visible(value)
    for _ in range(len(text) + 1):
        cleaned = _MARKDOWN_LINK.sub(safe_link, clean_text(text))
        if cleaned == text:
            break
        text = cleaned
    return check_visible(text)


INNOKYLA_HOSTS = ("innokyla.fi",)


def link_kind(url: str) -> LinkKind:
    host = (urlsplit(url).hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in INNOKYLA_HOSTS):
        return LinkKind.INNOKYLA
    return LinkKind.OTHER


class LinkInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
    title: Annotated[PlainText | None, Field(max_length=200)] = None

    @field_validator("url")
    @classmethod
    def http_only(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise PydanticCustomError("link_scheme", "a link must start with http:// or https://")
        if not parts.hostname or "." not in parts.hostname or " " in url:
            raise PydanticCustomError("link_address", "this is not a web address")
        return url


class ActionContent(BaseModel):
    """An action as a member writes it. Everything public except the contact person."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[PlainText, Field(min_length=3, max_length=200)]
    summary: Annotated[PlainText, Field(min_length=10, max_length=1000)]
    description: Annotated[str | None, Field(max_length=20_000)] = None
    links: Annotated[list[LinkInput], Field(max_length=20)] = []
    organisation_id: Id
    partner_organisation_ids: Annotated[list[Id], Field(max_length=50)] = []
    contact_member_id: Id | None = None
    measures: Annotated[list[MeasureCode], Field(min_length=1, max_length=20)]
    national: bool = False
    counties: Annotated[list[CountyCode], Field(max_length=30)] = []
    municipalities: Annotated[list[MunicipalityCode], Field(max_length=400)] = []
    place_detail: Annotated[PlainText | None, Field(max_length=200)] = None
    target_groups: Annotated[list[TargetGroup], Field(max_length=20)] = []
    inequality_reduction: Annotated[PlainText, Field(min_length=10, max_length=4000)]
    inequality_dimensions: Annotated[list[InequalityDimension], Field(max_length=10)] = []
    state: ActionState = ActionState.ONGOING
    start_date: date | None = None
    end_date: date | None = None
    language: Language = Language.FI

    @field_validator("description")
    @classmethod
    def safe_description(cls, value: str | None) -> str | None:
        return sanitise_markdown(value) or None if value is not None else None

    @model_validator(mode="after")
    def coherent(self) -> "ActionContent":
        # Each rule has its own error type, so that forms and imports can say it in the
        # reader's language (the message stays English for API users).
        if not (self.national or self.counties or self.municipalities):
            raise PydanticCustomError(
                "place_missing",
                "where the action happens is missing: set national, counties or municipalities",
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise PydanticCustomError("end_before_start", "end_date is before start_date")
        if self.organisation_id in self.partner_organisation_ids:
            raise PydanticCustomError(
                "partner_is_owner",
                "partner_organisation_ids: the owner cannot be its own partner",
            )
        return self


def derive_plan_levels(measures: list[str]) -> tuple[list[str], list[str]]:
    """Sub-goals and priorities follow from measure codes: 3.2.4 is under 3.2, under 3."""
    sub_goals = sorted({m.rsplit(".", 1)[0] for m in measures})
    priorities = sorted({m.split(".", 1)[0] for m in measures})
    return sub_goals, priorities


def public_snapshot(
    *,
    action_id: str,
    version: int,
    content: ActionContent,
    plan_version: int,
    published_at: datetime,
    updated_at: datetime,
    confirmed_at: datetime,
) -> PublicAction:
    sub_goals, priorities = derive_plan_levels(content.measures)
    return PublicAction(
        action_id=action_id,
        version=version,
        title=content.title,
        summary=content.summary,
        description=content.description,
        links=[Link(url=lk.url, title=lk.title, kind=link_kind(lk.url)) for lk in content.links],
        language=content.language,
        state=content.state,
        organisation_id=content.organisation_id,
        partner_organisation_ids=sorted(set(content.partner_organisation_ids)),
        plan_version=plan_version,
        measures=sorted(set(content.measures)),
        sub_goals=sub_goals,
        priorities=priorities,
        national=content.national,
        counties=sorted(set(content.counties)),
        municipalities=sorted(set(content.municipalities)),
        place_detail=content.place_detail,
        target_groups=sorted(set(content.target_groups)),
        inequality_reduction=content.inequality_reduction,
        inequality_dimensions=sorted(set(content.inequality_dimensions)),
        start_date=content.start_date,
        end_date=content.end_date,
        published_at=published_at,
        updated_at=updated_at,
        confirmed_at=confirmed_at,
    )


COMPLETENESS_CHECKS: dict[str, str] = {
    "contact": "a contact person",
    "measures": "the plan's measures it serves",
    "place": "where it happens",
    "inequality": "how it reduces inequality, with the dimensions it addresses",
    "link": "a link to more information, for example Innokylä",
    "dates": "start and end dates",
}


def completeness(content: ActionContent) -> dict[str, object]:
    """What would make the description more useful: a score, what is missing (in words) and
    ``checks``, each key of COMPLETENESS_CHECKS with whether it is there, for pages to name in
    the reader's language and link to the field that fixes it."""
    present = {
        "contact": content.contact_member_id is not None,
        "measures": bool(content.measures),
        "place": content.national or bool(content.counties or content.municipalities),
        "inequality": bool(content.inequality_reduction and content.inequality_dimensions),
        "link": bool(content.links),
        "dates": content.start_date is not None and content.end_date is not None,
    }
    missing = [COMPLETENESS_CHECKS[k] for k, ok in present.items() if not ok]
    return {
        "score": round(100 * sum(present.values()) / len(present)),
        "missing": missing,
        "checks": present,
    }
