"""Coordinator-only: where dialogue is active (threads and messages per sub-goal, county and
month), shown on the dashboard next to the actions."""

from fastapi import APIRouter

from htk_reporting.context import Ctx
from htk_reporting.counting import dialogue
from htk_reporting.model.dialogue import DialogueFigures
from htk_runtime.auth import Coordinator
from htk_runtime.errors import error_answers

router = APIRouter(tags=["coordinators"])


@router.get("/dialogue", response_model=DialogueFigures, responses=error_answers(401, 403))
async def dialogue_figures(r: Ctx, _: Coordinator) -> DialogueFigures:
    return await dialogue.figures(r.db, r.plan)
