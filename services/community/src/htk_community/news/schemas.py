"""Request and response models of the news routes."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from htk_contracts.actions import Language
from htk_contracts.community_news import NewsState

SubGoal = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,2}\.[0-9]{1,2}$")]


class NewsTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    summary: str = Field(default="", max_length=600)
    body: str = Field(default="", max_length=20_000, description="Safe Markdown subset")


class NewsIn(BaseModel):
    """A news item as a coordinator writes it: any of the three languages, at least one."""

    model_config = ConfigDict(extra="forbid")

    texts: dict[Language, NewsTextIn]
    sub_goals: list[SubGoal] = Field(default_factory=list, max_length=40)


class NewsTextOut(BaseModel):
    title: str
    summary: str = ""
    body: str = ""


class NewsOut(BaseModel):
    news_id: str
    version: int
    state: NewsState
    texts: dict[Language, NewsTextOut]
    sub_goals: list[str]
    published_at: datetime
    updated_at: datetime
    language: Language = Field(description="The language of title, summary and body below")
    fallback: bool = Field(
        description="True when the item lacks the language asked for and another is shown"
    )
    title: str
    summary: str
    body: str
