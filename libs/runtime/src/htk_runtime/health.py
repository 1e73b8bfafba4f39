"""Liveness and readiness endpoints.

Liveness says the process answers. Readiness says the service can do its work now: every
dependency (database, broker, ...) answered its check within a short deadline.
"""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[bool]]


def health_router(checks: dict[str, Check], timeout: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        async def run(check: Check) -> bool:
            try:
                return await asyncio.wait_for(check(), timeout)
            except Exception:
                return False

        results = await asyncio.gather(*(run(c) for c in checks.values()))
        status = dict(zip(checks, ("ok" if r else "unavailable" for r in results), strict=True))
        ok = all(results)
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": status},
            status_code=200 if ok else 503,
        )

    return router
