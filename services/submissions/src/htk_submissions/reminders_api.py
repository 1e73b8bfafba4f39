"""Running the reminder round by hand (operators, tests); it also runs on a timer."""

from fastapi import APIRouter, Request

from htk_runtime.auth import Coordinator
from htk_runtime.errors import error_answers
from htk_submissions.schemas import ReminderRound

router = APIRouter(prefix="/reminders", tags=["reminders"])


@router.post("/run", response_model=ReminderRound, responses=error_answers(401, 403))
async def run_reminders(request: Request, user: Coordinator) -> ReminderRound:
    return ReminderRound.model_validate(
        await request.app.state.service.ctx().state["reminders"].run()
    )
