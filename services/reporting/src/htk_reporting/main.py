"""The reporting service: ``uvicorn htk_reporting.main:app``."""

from typing import Any

from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_runtime.consumer import subscribe
from htk_runtime.service import Service, ServiceContext

from htk_reporting.api import router
from htk_reporting.coverage import CoverageProjection
from htk_reporting.settings import ReportingSettings


def create_service(settings: ReportingSettings | None = None) -> Service:
    settings = settings or ReportingSettings()
    service = Service(settings, title="HTK reporting", routers=[router])

    @service.startup
    async def open_projection(ctx: ServiceContext) -> None:
        ctx.state["coverage"] = CoverageProjection(ctx.db)

    async def on_action_event(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["coverage"].apply(envelope)

    assert service.broker is not None
    subscribe(service.broker, settings, Topic.SUBMISSIONS_ACTIONS, on_action_event)
    return service


app = create_service().app()
