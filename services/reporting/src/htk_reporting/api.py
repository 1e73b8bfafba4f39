"""HTTP API of the reporting service."""

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(tags=["coverage"])


@router.get("/coverage")
async def coverage(request: Request) -> dict[str, Any]:
    projection = request.app.state.service.ctx().state["coverage"]
    return {"priorities": await projection.by_priority()}
