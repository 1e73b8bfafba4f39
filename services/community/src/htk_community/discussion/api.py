"""HTTP API of discussions; the gateway forwards ``/api/v1/discussions`` here."""

from fastapi import APIRouter

router = APIRouter(prefix="/discussions", tags=["discussion"])
