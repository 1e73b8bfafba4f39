"""Operator actions for coordinators."""

from typing import Any

from fastapi import APIRouter

from htk_catalogue.catalogue import CatalogueDep
from htk_runtime.auth import Coordinator

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/replay")
async def replay(user: Coordinator, catalogue: CatalogueDep) -> dict[str, Any]:
    """Re-emit the current state of every plan version, organisation and member."""
    return {"replayed": await catalogue.replay()}
