"""The gateway: ``uvicorn htk_gateway.main:app``."""

import logging
import secrets
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_gateway.api import router as api_router
from htk_gateway.auth import router as auth_router
from htk_gateway.coordinator_pages import router as coordinator_router
from htk_gateway.errors_html import on_domain_error
from htk_gateway.follows import Follows, digest_worker
from htk_gateway.follows import router as follows_router
from htk_gateway.internal import InternalRoutesHidden
from htk_gateway.join_pages import router as join_router
from htk_gateway.link_mail import LinkMail, link_mail_worker
from htk_gateway.live import LiveStreams
from htk_gateway.member_pages import router as member_router
from htk_gateway.members import MemberCopies
from htk_gateway.openapi import merged_openapi_router
from htk_gateway.origin import SameOriginWrites
from htk_gateway.pages import router as pages_router
from htk_gateway.ratelimit import RateLimiter
from htk_gateway.sessions import LoginLinks, Sessions
from htk_gateway.settings import GatewaySettings
from htk_gateway.upstream import Upstreams
from htk_runtime.consumer import consume
from htk_runtime.errors import DomainError
from htk_runtime.mail import make_mailer
from htk_runtime.service import Service, ServiceContext

log = logging.getLogger(__name__)


class GatewayService(Service):
    def app(self) -> FastAPI:
        app = super().app()
        # Pages for people, JSON for programs (replaces the JSON-only handler).
        app.add_exception_handler(DomainError, on_domain_error)
        # Outermost: a cross-site write is refused before any other work.
        app.add_middleware(SameOriginWrites, public_url=self.settings.public_url)  # type: ignore[attr-defined]
        app.add_middleware(InternalRoutesHidden, trusted_proxies=self.settings.trusted_proxies)  # type: ignore[attr-defined]
        return app


def create_service(settings: GatewaySettings | None = None) -> Service:
    settings = settings or GatewaySettings()
    if not settings.gateway_secret:
        # Fine for one process in development; replicas and restarts need HTK_GATEWAY_SECRET.
        settings.gateway_secret = secrets.token_urlsafe(32)
    service = GatewayService(
        settings,
        title="HTK platform",
        routers=[
            merged_openapi_router,
            api_router,
            auth_router,
            join_router,
            member_router,
            coordinator_router,
            follows_router,
            pages_router,
        ],
        openapi_url="/api/v1/gateway-openapi.json",
        body_limit_overrides={
            "/api/v1/imports": 10_000_000,
            "/coordinator/import": 10_000_000,
            "/coordinator/plan/import": 2_000_000,
        },
    )

    @service.startup
    async def open_state(ctx: ServiceContext) -> None:
        ctx.state["upstreams"] = Upstreams(
            {
                "catalogue": settings.catalogue_url,
                "submissions": settings.submissions_url,
                "search": settings.search_url,
                "reporting": settings.reporting_url,
            },
            settings.upstream_timeout_seconds,
        )
        ctx.state["live"] = LiveStreams(
            settings.reporting_url.rstrip("/") + "/coverage/stream",
            per_address=settings.streams_per_address,
            total=settings.streams_total,
            queue_size=settings.stream_queue_size,
            heartbeat_seconds=settings.stream_heartbeat_seconds,
        )
        members = MemberCopies(ctx.db)
        await members.ensure_indexes()
        sessions = Sessions(ctx.db, timedelta(hours=settings.session_ttl_hours))
        await sessions.ensure_indexes()
        follows = Follows(ctx.db)
        await follows.ensure_indexes()
        ctx.state["members"] = members
        ctx.state["sessions"] = sessions
        ctx.state["follows"] = follows
        ctx.state["login_links"] = LoginLinks(
            ctx.db, timedelta(minutes=settings.login_link_minutes)
        )
        ctx.state["rate_limiter"] = RateLimiter(ctx.db)
        ctx.state["mailer"] = make_mailer(settings)
        ctx.state["link_mail"] = LinkMail(
            ctx.state["login_links"], ctx.state["mailer"], settings.public_url
        )

    @service.shutdown
    async def close_upstreams(ctx: ServiceContext) -> None:
        await ctx.state["upstreams"].close()
        await ctx.state["live"].close()

    service.extra_reports["live_streams"] = lambda ctx: ctx.state["live"].status()

    service.worker(digest_worker)
    service.worker(link_mail_worker)

    async def on_member(envelope: Envelope[dict[str, Any]]) -> None:
        state = service.ctx().state
        if await state["members"].apply(envelope):
            ended = await state["sessions"].end_all(envelope.subject)
            log.info("erased member signed out", extra={"sessions": ended})

    async def on_action(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["follows"].record(envelope)

    assert service.broker is not None
    consume(
        service.broker,
        settings,
        {Topic.CATALOGUE_MEMBERS: on_member, Topic.SUBMISSIONS_ACTIONS: on_action},
    )
    return service


app = create_service().app()
