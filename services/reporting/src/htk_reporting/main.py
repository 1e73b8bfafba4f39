"""The reporting service: ``uvicorn htk_reporting.main:app``."""

import sys
from typing import Any

from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_reporting.api import coordinator_api, dialogue_api, open_data, public_api, reports_api
from htk_reporting.context import Reporting
from htk_reporting.counting import dialogue
from htk_reporting.counting.past import PastFigures
from htk_reporting.counting.projection import Projection
from htk_reporting.model.geography import load_geography
from htk_reporting.places import api as places_api
from htk_reporting.places import indicators_api, report_api
from htk_reporting.settings import ReportingSettings
from htk_runtime.consumer import consume
from htk_runtime.service import Service, ServiceContext

SWITCH_INTERVAL_SECONDS = 0.001


def create_service(settings: ReportingSettings | None = None) -> Service:
    settings = settings or ReportingSettings()
    service = Service(
        settings,
        title="HTK reporting",
        routers=[
            public_api.router,
            coordinator_api.router,
            reports_api.router,
            open_data.router,
            places_api.router,
            indicators_api.router,
            report_api.router,
            dialogue_api.router,
        ],
    )

    @service.startup
    async def open_projection(ctx: ServiceContext) -> None:
        # Past dates and rebuilds are counted in threads. With the interpreter's default switch
        # interval (5 ms) the event loop waited that long for each hand-back of the GIL, and a
        # cheap read beside a recount took 11 times as long (bench/results/summary.md).
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        projection = Projection(ctx.db, load_geography(settings.reporting_data_dir))
        await projection.load()
        ctx.state["projection"] = projection
        ctx.state["reporting"] = Reporting(ctx.db, projection, settings, PastFigures(ctx.db))

    def projection() -> Projection:
        p: Projection = service.ctx().state["projection"]
        return p

    async def on_action(envelope: Envelope[dict[str, Any]]) -> None:
        await projection().apply(envelope)

    async def on_plan(envelope: Envelope[dict[str, Any]]) -> None:
        await projection().apply_plan(envelope)

    async def on_organisation(envelope: Envelope[dict[str, Any]]) -> None:
        await projection().apply_organisation(envelope)

    async def on_discussion(envelope: Envelope[dict[str, Any]]) -> None:
        await dialogue.apply(service.ctx().db, envelope, projection().broadcaster)

    assert service.broker is not None
    # One consumer for every topic: one group join, no rebalancing between topics.
    consume(
        service.broker,
        settings,
        {
            Topic.SUBMISSIONS_ACTIONS: on_action,
            Topic.CATALOGUE_PLAN: on_plan,
            Topic.CATALOGUE_ORGANISATIONS: on_organisation,
            Topic.COMMUNITY_DISCUSSION: on_discussion,
        },
    )
    return service


app = create_service().app()
