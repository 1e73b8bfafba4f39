"""What every search backend offers. The same test cases run against each backend."""

from typing import Protocol

from htk_contracts.actions import PublicAction
from pydantic import BaseModel, ConfigDict, Field


class QueryError(ValueError):
    """The user's query cannot be understood; names the parameter at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


class SearchQuery(BaseModel):
    text: str = ""
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


class SearchHit(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action_id: str
    version: int
    title: str
    summary: str
    organisation_id: str
    priorities: list[str]
    score: float


class SearchResult(BaseModel):
    total: int
    hits: list[SearchHit]


class SearchBackend(Protocol):
    async def upsert(self, action: PublicAction) -> None: ...

    async def delete(self, action_id: str) -> None: ...

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def count(self) -> int: ...

    async def close(self) -> None: ...
