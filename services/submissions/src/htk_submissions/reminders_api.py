"""Running the reminder round by hand (operators, tests); it also runs on a timer."""

from typing import Any

from fastapi import APIRouter, Request

from htk_runtime.auth import Coordinator

router = APIRouter(prefix="/reminders", tags=["reminders"])


@router.post("/run")
async def run_reminders(request: Request, user: Coordinator) -> dict[str, Any]:
    result: dict[str, Any] = await request.app.state.service.ctx().state["reminders"].run()
    return result
