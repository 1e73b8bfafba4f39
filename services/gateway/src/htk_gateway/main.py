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
from htk_gateway.dashboard_pages import router as dashboard_router
from htk_gateway.errors_html import on_domain_error
from htk_gateway.follows import Follows, digest_worker
from htk_gateway.follows import router as follows_router
from htk_gateway.join_pages import router as join_router
from htk_gateway.member_pages import router as member_router
from htk_gateway.members import MemberCopies
from htk_gateway.openapi import merged_openapi_router
from htk_gateway.organisation_pages import router as organisation_router
from htk_gateway.pages import router as pages_router
from htk_gateway.place_pages import api_router as places_api_router
from htk_gateway.place_pages import indicators_api_router
from htk_gateway.place_pages import router as places_router
from htk_gateway.plan_pages import router as plan_pages_router
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
        return app


def create_service(settings: GatewaySettings | None = None) -> Service:
    settings = settings or GatewaySettings()
    if not settings.gateway_secret:
        # Fine for one process in development; replicas and restarts need HTK_GATEWAY_SECRET.
        settings.gateway_secret = secrets.token_urlsafe(32)
    service = GatewayService(
        settings,
        title="HTK platform",
        # Pages take ?lang= everywhere, and /api/v1 passes the query on to the service that
        # checks it; the services refuse unknown parameters themselves.
        strict_query=False,
        routers=[
            merged_openapi_router,
            api_router,
            places_api_router,
            indicators_api_router,
            auth_router,
            join_router,
            member_router,
            organisation_router,
            coordinator_router,
            plan_pages_router,
            dashboard_router,
            places_router,
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
        await ctx.state["login_links"].ensure_indexes()
        ctx.state["rate_limiter"] = RateLimiter(ctx.db)
        await ctx.state["rate_limiter"].ensure_indexes()
        ctx.state["mailer"] = make_mailer(settings)

    @service.shutdown
    async def close_upstreams(ctx: ServiceContext) -> None:
        await ctx.state["upstreams"].close()

    service.worker(digest_worker)

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
