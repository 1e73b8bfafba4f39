"""The submissions service: ``uvicorn htk_submissions.main:app``."""

from htk_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_indexes
from htk_runtime.service import Service, ServiceContext

from htk_submissions.api import router
from htk_submissions.settings import SubmissionsSettings
from htk_submissions.store import ActionStore


def create_service(settings: SubmissionsSettings | None = None) -> Service:
    service = Service(settings or SubmissionsSettings(), title="HTK submissions", routers=[router])

    @service.startup
    async def open_store(ctx: ServiceContext) -> None:
        await ensure_outbox_indexes(ctx.db)
        outbox = Outbox(ctx.db)
        ctx.state["outbox"] = outbox
        ctx.state["store"] = ActionStore(ctx.db, outbox)

    @service.worker
    async def relay_outbox(ctx: ServiceContext) -> None:
        assert ctx.broker is not None
        relay = OutboxRelay(ctx.db, ctx.state["outbox"], ctx.broker)
        await relay.run(ctx.stopping, ctx.broker_connected)

    return service


app = create_service().app()
