"""The catalogue service: ``uvicorn htk_catalogue.main:app``."""

import asyncio
import contextlib
import logging
from datetime import timedelta

from htk_catalogue import (
    admin_api,
    geography_api,
    member_api,
    organisation_api,
    plan_api,
    requests_api,
)
from htk_catalogue.catalogue import Catalogue
from htk_catalogue.expiry import expire_registrations
from htk_catalogue.settings import CatalogueSettings
from htk_runtime.outbox import OutboxRelay
from htk_runtime.service import Service, ServiceContext

log = logging.getLogger(__name__)

ROUTERS = [
    plan_api.router,
    organisation_api.router,
    member_api.router,
    requests_api.router,
    geography_api.router,
    admin_api.router,
]


def create_service(settings: CatalogueSettings | None = None) -> Service:
    settings = settings or CatalogueSettings()
    service = Service(settings, title="HTK catalogue", routers=ROUTERS)

    @service.startup
    async def open_catalogue(ctx: ServiceContext) -> None:
        catalogue = await Catalogue.open(ctx.db, settings)
        ctx.state["catalogue"] = catalogue
        seeded = False
        if settings.catalogue_plan_file and settings.catalogue_plan_file.is_file():
            seeded = await catalogue.plan.seed(settings.catalogue_plan_file)
            if seeded:
                log.info("plan seeded", extra={"file": str(settings.catalogue_plan_file)})
        await catalogue.members.scrub_erased()
        if settings.catalogue_replay_on_start and not seeded:
            log.info("replayed current state", extra=await catalogue.replay())

    @service.worker
    async def relay_outbox(ctx: ServiceContext) -> None:
        assert ctx.broker is not None
        catalogue: Catalogue = ctx.state["catalogue"]
        relay = OutboxRelay(ctx.db, catalogue.writer.outbox, ctx.broker)
        await relay.run(ctx.stopping, ctx.broker_connected)

    @service.worker
    async def expire_unconfirmed(ctx: ServiceContext) -> None:
        catalogue: Catalogue = ctx.state["catalogue"]
        ttl = timedelta(hours=settings.catalogue_registration_ttl_hours)
        while not ctx.stopping.is_set():
            try:
                await expire_registrations(catalogue.members, catalogue.organisations, ttl)
            except Exception:
                log.exception("expiring registrations failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    ctx.stopping.wait(), settings.catalogue_expiry_interval_seconds
                )

    return service


app = create_service().app()
