"""The submissions service: ``uvicorn htk_submissions.main:app``."""

import asyncio
import contextlib
import logging
import secrets
from typing import Any

from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_runtime.consumer import consume
from htk_runtime.geography import load_geography
from htk_runtime.mail import make_mailer
from htk_runtime.mongo import writes_across_collections
from htk_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_indexes
from htk_runtime.service import Service, ServiceContext
from htk_submissions.api import router
from htk_submissions.duplicates import SimilarActions
from htk_submissions.imports_api import router as imports_router
from htk_submissions.personal_data import PersonalData
from htk_submissions.personal_data import router as personal_data_router
from htk_submissions.readcopies import CatalogueCopies
from htk_submissions.reminders import Reminders
from htk_submissions.reminders_api import router as reminders_router
from htk_submissions.settings import SubmissionsSettings
from htk_submissions.store import ActionStore, ensure_indexes

log = logging.getLogger(__name__)


def create_service(settings: SubmissionsSettings | None = None) -> Service:
    settings = settings or SubmissionsSettings()
    service = Service(
        settings,
        title="HTK submissions",
        routers=[router, imports_router, reminders_router, personal_data_router],
        body_limit_overrides={"/imports": settings.max_import_bytes},
    )

    @service.startup
    async def open_store(ctx: ServiceContext) -> None:
        await ensure_outbox_indexes(ctx.db)
        await ensure_indexes(ctx.db)
        outbox = Outbox(ctx.db)
        ctx.state["outbox"] = outbox
        ctx.state["store"] = ActionStore(
            ctx.db,
            outbox,
            review_required=settings.review_required,
            writes_in_one_command=await writes_across_collections(ctx.mongo),
        )
        ctx.state["copies"] = CatalogueCopies(ctx.db)
        ctx.state["personal_data"] = PersonalData(ctx.db)
        await ctx.state["personal_data"].ensure_indexes()
        ctx.state["similar"] = SimilarActions(settings.search_url)
        ctx.state["geography"] = load_geography(settings.submissions_data_dir / "geography")
        # Without a configured secret, links work until this process stops.
        secret = settings.reminder_link_secret or secrets.token_urlsafe(32)
        ctx.state["reminders"] = Reminders(
            ctx.db, ctx.state["copies"], make_mailer(settings), settings, secret
        )

    @service.worker
    async def send_reminders(ctx: ServiceContext) -> None:
        while not ctx.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.stopping.wait(), settings.reminder_interval_seconds)
            if ctx.stopping.is_set():
                return
            try:
                await ctx.state["reminders"].run()
            except Exception:
                log.exception("sending reminders failed; trying again next round")

    @service.shutdown
    async def close_clients(ctx: ServiceContext) -> None:
        await ctx.state["similar"].close()

    @service.worker
    async def relay_outbox(ctx: ServiceContext) -> None:
        assert ctx.broker is not None
        relay = OutboxRelay(ctx.db, ctx.state["outbox"], ctx.broker)
        await relay.run(ctx.stopping, ctx.broker_connected)

    def copies() -> CatalogueCopies:
        copies: CatalogueCopies = service.ctx().state["copies"]
        return copies

    async def on_plan(envelope: Envelope[dict[str, Any]]) -> None:
        await copies().apply_plan(envelope)

    async def on_organisation(envelope: Envelope[dict[str, Any]]) -> None:
        await copies().apply_organisation(envelope)

    async def on_member(envelope: Envelope[dict[str, Any]]) -> None:
        await copies().apply_member(envelope)
        if envelope.data.get("kind") == "erased":
            # Erasure reaches the actions too: the person stops being anyone's contact.
            await service.ctx().state["personal_data"].forget(envelope.subject)

    assert service.broker is not None
    consume(
        service.broker,
        settings,
        {
            Topic.CATALOGUE_PLAN: on_plan,
            Topic.CATALOGUE_ORGANISATIONS: on_organisation,
            Topic.CATALOGUE_MEMBERS: on_member,
        },
    )
    return service


app = create_service().app()
