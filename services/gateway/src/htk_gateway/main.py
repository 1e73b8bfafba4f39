"""The gateway: ``uvicorn htk_gateway.main:app``."""

import asyncio
import logging
import secrets
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from htk_contracts.community import DISCUSSION_EVENTS
from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_gateway.api.community import router as community_news_api_router
from htk_gateway.api.discussions import router as discussion_api_router
from htk_gateway.api.internal import InternalRoutesHidden
from htk_gateway.api.live import LiveStreams
from htk_gateway.api.openapi import merged_openapi_router
from htk_gateway.api.places import api_router as places_api_router
from htk_gateway.api.places import indicators_api_router
from htk_gateway.api.routes import router as api_router
from htk_gateway.api.upstream import Upstreams
from htk_gateway.api_tokens.pages import router as api_tokens_router
from htk_gateway.api_tokens.store import ApiTokens
from htk_gateway.auth.link_mail import LinkMail, link_mail_worker
from htk_gateway.auth.login import router as auth_router
from htk_gateway.auth.members import MemberCopies
from htk_gateway.auth.ratelimit import RateLimiter, email_key
from htk_gateway.auth.sessions import LoginLinks, Sessions
from htk_gateway.follows.digest import digest_worker
from htk_gateway.follows.pages import router as follows_router
from htk_gateway.follows.store import Follows
from htk_gateway.notify.delivery import Notifier
from htk_gateway.notify.kinds import Sources
from htk_gateway.notify.store import NotifyStore
from htk_gateway.pages.account import router as account_router
from htk_gateway.pages.actions import router as action_router
from htk_gateway.pages.coordinator import router as coordinator_router
from htk_gateway.pages.county_report import api_router as county_report_api_router
from htk_gateway.pages.county_report import router as county_report_router
from htk_gateway.pages.dashboard import router as dashboard_router
from htk_gateway.pages.discussion import router as discussion_router
from htk_gateway.pages.events import router as event_pages_router
from htk_gateway.pages.join import router as join_router
from htk_gateway.pages.member import router as member_router
from htk_gateway.pages.news import router as news_pages_router
from htk_gateway.pages.organisations import router as organisation_router
from htk_gateway.pages.places import router as places_router
from htk_gateway.pages.plan import router as plan_pages_router
from htk_gateway.pages.practices import router as practice_pages_router
from htk_gateway.pages.public import router as pages_router
from htk_gateway.pages.reminders import router as reminder_pages_router
from htk_gateway.settings import GatewaySettings
from htk_gateway.web.errors_html import on_domain_error
from htk_gateway.web.origin import SameOriginWrites
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
    settings.check_production()  # before a secret is generated below: production needs its own
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
            discussion_api_router,
            places_api_router,
            county_report_api_router,
            indicators_api_router,
            community_news_api_router,
            auth_router,
            join_router,
            member_router,
            organisation_router,
            action_router,
            api_tokens_router,
            coordinator_router,
            plan_pages_router,
            reminder_pages_router,
            dashboard_router,
            places_router,
            county_report_router,
            follows_router,
            discussion_router,
            account_router,
            news_pages_router,
            event_pages_router,
            practice_pages_router,
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
                "community": settings.community_url,
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
        await ctx.state["login_links"].ensure_indexes()
        ctx.state["api_tokens"] = ApiTokens(ctx.db)
        await ctx.state["api_tokens"].ensure_indexes()
        ctx.state["rate_limiter"] = RateLimiter(ctx.db)
        await ctx.state["rate_limiter"].ensure_indexes()
        ctx.state["mailer"] = make_mailer(settings)
        notify_store = NotifyStore(ctx.db)
        await notify_store.ensure_indexes()
        ctx.state["notifier"] = Notifier(
            notify_store,
            members,
            Sources(members, ctx.state["upstreams"], settings.token_private_key),
            ctx.state["mailer"],
            settings.public_url,
            settings.gateway_secret,
            settings.notify_digest_hour,
        )
        ctx.state["link_mail"] = LinkMail(
            ctx.state["login_links"], ctx.state["mailer"], settings.public_url
        )

    @service.shutdown
    async def close_upstreams(ctx: ServiceContext) -> None:
        await ctx.state["upstreams"].close()
        await ctx.state["live"].close()

    service.extra_reports["live_streams"] = lambda ctx: ctx.state["live"].status()

    service.worker(digest_worker)
    service.worker(notify_worker)
    service.worker(link_mail_worker)

    async def on_member(envelope: Envelope[dict[str, Any]]) -> None:
        state = service.ctx().state
        notifier: Notifier = state["notifier"]
        held = await state["members"].get(envelope.subject)
        if await state["members"].apply(envelope):
            if held and held.get("email"):
                await state["rate_limiter"].forget(email_key(held["email"]))
            ended = await state["sessions"].end_all(envelope.subject)
            await state["follows"].stop_all(envelope.subject)
            await notifier.store.forget(envelope.subject)
            log.info("erased member signed out and forgotten", extra={"sessions": ended})

    async def on_action(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["follows"].record(envelope)
        await service.ctx().state["notifier"].event(envelope)

    async def on_request(envelope: Envelope[dict[str, Any]]) -> None:
        # Requests and decisions about organisations, memberships and partnerships:
        # notifications only.
        await service.ctx().state["notifier"].event(envelope)

    async def on_discussion(envelope: Envelope[dict[str, Any]]) -> None:
        # New messages in followed discussions and reports for the coordinators.
        DISCUSSION_EVENTS.validate_python(envelope.data)
        await service.ctx().state["notifier"].event(envelope)

    assert service.broker is not None
    consume(
        service.broker,
        settings,
        {
            Topic.CATALOGUE_MEMBERS: on_member,
            Topic.SUBMISSIONS_ACTIONS: on_action,
            Topic.CATALOGUE_REQUESTS: on_request,
            Topic.SUBMISSIONS_PARTNERSHIPS: on_request,
            Topic.COMMUNITY_DISCUSSION: on_discussion,
        },
    )
    return service


async def notify_worker(ctx: ServiceContext) -> None:
    """Notifies of the events the consumers kept, as soon as they wake it; retries those that
    failed (a service away) every ``notify_interval_seconds``; sends the daily digests."""
    settings: Any = ctx.settings
    notifier: Notifier = ctx.state["notifier"]
    while not ctx.stopping.is_set():
        try:
            await notifier.run_pending()
            await notifier.send_digests()
        except Exception:
            log.exception("notification round failed; next round as usual")
        woken = asyncio.create_task(notifier.wake.wait())
        stopping = asyncio.create_task(ctx.stopping.wait())
        await asyncio.wait(
            {woken, stopping},
            timeout=settings.notify_interval_seconds,
            return_when=asyncio.FIRST_COMPLETED,
        )
        for task in (woken, stopping):
            task.cancel()


app = create_service().app()
