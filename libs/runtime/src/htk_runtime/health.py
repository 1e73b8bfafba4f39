"""Liveness and readiness endpoints.

Liveness says the process answers. Readiness says the service can do its work now: every
dependency (database, broker, ...) answered its check within a short deadline. Reports add
figures to the readiness answer without deciding it (how full the gateway's live streams are:
a replica whose streams are full still serves its pages, so it must stay in rotation).
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[bool]]
Report = Callable[[], dict[str, Any]]


def health_router(
    checks: dict[str, Check], timeout: float = 2.0, reports: dict[str, Report] | None = None
) -> APIRouter:
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
        body: dict[str, Any] = {"status": "ok" if ok else "unavailable", "checks": status}
        for name, report in (reports or {}).items():
            try:
                body[name] = report()
            except Exception:  # a report never decides readiness
                body[name] = None
        return JSONResponse(
            body,
            status_code=200 if ok else 503,
        )

    return router
