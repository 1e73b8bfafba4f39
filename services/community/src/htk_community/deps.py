"""FastAPI dependencies the domains share: the started service's parts, by ``Depends``."""

from typing import Annotated, Any

from fastapi import Depends, Request

from htk_community.readcopies import ReadCopies
from htk_community.settings import CommunitySettings


def state(request: Request) -> dict[str, Any]:
    found: dict[str, Any] = request.app.state.service.ctx().state
    return found


def settings(request: Request) -> CommunitySettings:
    found: CommunitySettings = request.app.state.service.settings
    return found


def read_copies(request: Request) -> ReadCopies:
    found: ReadCopies = state(request)["copies"]
    return found


Settings = Annotated[CommunitySettings, Depends(settings)]
Copies = Annotated[ReadCopies, Depends(read_copies)]
