"""HTTP API of the submissions service."""

from typing import Any

from fastapi import APIRouter, Request
from htk_runtime.errors import DomainError

from htk_submissions.domain import ActionInput
from htk_submissions.store import ActionStore

router = APIRouter(prefix="/actions", tags=["actions"])


def _store(request: Request) -> ActionStore:
    store: ActionStore = request.app.state.service.ctx().state["store"]
    return store


def _view(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": document["_id"],
        "version": document["version"],
        "status": document["status"],
        **document["public"],
    }


@router.post("", status_code=201)
async def create_action(body: ActionInput, request: Request) -> dict[str, Any]:
    return _view(await _store(request).create(body))


@router.get("/{action_id}")
async def get_action(action_id: str, request: Request) -> dict[str, Any]:
    document = await _store(request).get(action_id)
    if document is None:
        raise DomainError(404, f"No action with id {action_id}", field="action_id")
    return _view(document)
