"""Operator actions for coordinators."""

from fastapi import APIRouter

from htk_catalogue.catalogue import CatalogueDep
from htk_catalogue.plan_schemas import ReplayAnswer
from htk_runtime.auth import Coordinator
from htk_runtime.errors import error_answers

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/replay", responses=error_answers(401, 403))
async def replay(user: Coordinator, catalogue: CatalogueDep) -> ReplayAnswer:
    """Re-emit the current state of every plan version, organisation and member."""
    return ReplayAnswer(replayed=await catalogue.replay())
