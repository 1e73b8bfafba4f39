"""The community service: ``uvicorn htk_community.main:app``."""

from typing import Any

from htk_community.discussion.api import router as discussion_router
from htk_community.discussion.store import DiscussionStore
from htk_community.discussion.store import ensure_indexes as discussion_indexes
from htk_community.events.api import router as events_router
from htk_community.events.store import EventStore
from htk_community.news.api import router as news_router
from htk_community.news.store import NewsStore
from htk_community.practices.api import router as practices_router
from htk_community.practices.store import PracticeStore
from htk_community.readcopies import ReadCopies
from htk_community.settings import CommunitySettings
from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_runtime.consumer import consume
from htk_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_indexes
from htk_runtime.service import Service, ServiceContext


def create_service(settings: CommunitySettings | None = None) -> Service:
    settings = settings or CommunitySettings()
    service = Service(
        settings,
        title="HTK community",
        routers=[discussion_router, news_router, events_router, practices_router],
    )

    @service.startup
    async def open_store(ctx: ServiceContext) -> None:
        await ensure_outbox_indexes(ctx.db)
        await discussion_indexes(ctx.db)
        outbox = Outbox(ctx.db)
        ctx.state["outbox"] = outbox
        ctx.state["copies"] = ReadCopies(ctx.db)
        ctx.state["discussion"] = DiscussionStore(ctx.db, outbox)
        ctx.state["news"] = NewsStore(ctx.db, outbox)
        await ctx.state["news"].ensure_indexes()
        ctx.state["events"] = EventStore(ctx.db, outbox)
        await ctx.state["events"].ensure_indexes()
        ctx.state["practices"] = PracticeStore(ctx.db, outbox)
        await ctx.state["practices"].ensure_indexes()

    @service.worker
    async def relay_outbox(ctx: ServiceContext) -> None:
        assert ctx.broker is not None
        relay = OutboxRelay(ctx.db, ctx.state["outbox"], ctx.broker)
        await relay.run(ctx.stopping, ctx.broker_connected)

    def copies() -> ReadCopies:
        found: ReadCopies = service.ctx().state["copies"]
        return found

    async def on_plan(envelope: Envelope[dict[str, Any]]) -> None:
        await copies().apply_plan(envelope)

    async def on_organisation(envelope: Envelope[dict[str, Any]]) -> None:
        await copies().apply_organisation(envelope)

    async def on_member(envelope: Envelope[dict[str, Any]]) -> None:
        if await copies().apply_member(envelope):
            # Erased: their messages stay, shown as a former member's; follows and consent go.
            await service.ctx().state["discussion"].forget_author(envelope.subject)

    async def on_action(envelope: Envelope[dict[str, Any]]) -> None:
        await copies().apply_action(envelope)

    assert service.broker is not None
    consume(
        service.broker,
        settings,
        {
            Topic.CATALOGUE_PLAN: on_plan,
            Topic.CATALOGUE_ORGANISATIONS: on_organisation,
            Topic.CATALOGUE_MEMBERS: on_member,
            Topic.SUBMISSIONS_ACTIONS: on_action,
        },
    )
    return service


app = create_service().app()
