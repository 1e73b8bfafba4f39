"""Running the reminder round by hand (operators, tests; it also runs on a timer), and the
signed link in every reminder mail that stops (or restarts) reminders for its recipient."""

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from htk_runtime.auth import Coordinator
from htk_runtime.errors import DomainError, error_answers

router = APIRouter(prefix="/reminders", tags=["reminders"])


class ReminderRound(BaseModel):
    actions: int
    mails: int


class StopRequest(BaseModel):
    member_id: str = Field(min_length=1, max_length=100)
    sig: str = Field(min_length=1, max_length=200)
    stopped: bool = True


class StopAnswer(BaseModel):
    member_id: str
    stopped: bool


@router.post("/run", response_model=ReminderRound, responses=error_answers(401, 403))
async def run_reminders(request: Request, user: Coordinator) -> dict[str, Any]:
    result: dict[str, Any] = await request.app.state.service.ctx().state["reminders"].run()
    return result


@router.post("/stop", response_model=StopAnswer, responses=error_answers(403))
async def stop_reminders(body: StopRequest, request: Request) -> StopAnswer:
    """No sign-in needed: the signature in the mailed link is the proof (as for unsubscribing)."""
    reminders = request.app.state.service.ctx().state["reminders"]
    if not await reminders.set_stopped(body.member_id, body.sig, body.stopped):
        raise DomainError(403, "This link is not valid", field="sig")
    return StopAnswer(member_id=body.member_id, stopped=body.stopped)
