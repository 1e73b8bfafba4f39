"""HTTP API of the catalogue service."""

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(tags=["catalogue"])


def _state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = request.app.state.service.ctx().state
    return state


@router.get("/plan")
async def plan(request: Request) -> dict[str, Any]:
    return {"priorities": _state(request)["plan"]}


@router.get("/geography/counties")
async def counties(request: Request) -> list[dict[str, str]]:
    return [vars(c) for c in _state(request)["geography"].counties.values()]


@router.get("/geography/municipalities")
async def municipalities(request: Request) -> list[dict[str, str]]:
    return [vars(m) for m in _state(request)["geography"].municipalities.values()]
