"""Builds a service's FastAPI app with its lifespan: database, broker, background workers.

Start order: database, the service's own start-up (indexes, files), broker, workers.
Stop order is the reverse, and each step waits for work in flight: uvicorn drains requests before
the lifespan ends, workers finish their current batch, the broker lets running handlers finish.

The broker connects in the background with retries: a service whose broker is away still starts
and serves what needs no broker (submissions keep accepting actions into the outbox), and its
readiness reports the broker as unavailable until it is back. A broker that stops answering
takes the consumers down with it, and one that answers again gets a fresh connection: a consumer
kept across a restart of the embedded broker never commits there again and stops at its first
message, or commits its old position for the fresh consumer to trust; a new one joins, finds no
committed offset and reads the new broker's log from its start.

Observability comes with every service: traces (see :mod:`htk_runtime.telemetry`), Prometheus
metrics on ``/metrics`` (see :mod:`htk_runtime.metrics`) and JSON logs with trace ids.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Response
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.broker import make_broker
from htk_runtime.consumer import consumer_lag
from htk_runtime.errors import install_error_handlers
from htk_runtime.health import Check, health_router
from htk_runtime.limits import BodyLimitMiddleware
from htk_runtime.logging import configure_logging
from htk_runtime.metrics import (
    CONTENT_TYPE_LATEST,
    RequestMetricsMiddleware,
    ServiceMetrics,
    bind_broker,
)
from htk_runtime.mongo import make_mongo_client
from htk_runtime.outbox import unsent_stats
from htk_runtime.query import reject_unknown_query_parameters
from htk_runtime.settings import ServiceSettings
from htk_runtime.telemetry import configure_tracing, untraced

log = logging.getLogger(__name__)
# How long stopping the consumers may take while the broker does not answer.
STOP_TIMEOUT_SECONDS = 10.0


@dataclass
class ServiceContext:
    settings: ServiceSettings
    mongo: AsyncMongoClient[dict[str, Any]]
    db: AsyncDatabase[dict[str, Any]]
    broker: KafkaBroker | None
    # Cleared again by the broker watch while the broker does not answer.
    broker_connected: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when shutdown begins; workers finish what they hold and return.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    state: dict[str, Any] = field(default_factory=dict)


Hook = Callable[[ServiceContext], Awaitable[None]]
Worker = Callable[[ServiceContext], Coroutine[Any, Any, None]]


async def _answers(bootstrap_servers: str, timeout: float) -> bool:
    """Whether any bootstrap server accepts a connection (the broker client is stopped while
    the broker is lost, so it cannot be asked)."""
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        except (OSError, ValueError, TimeoutError):
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
    return False


class Service:
    """Declares what a service is made of; :meth:`app` builds the ASGI app."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        title: str,
        routers: Sequence[APIRouter] = (),
        broker: KafkaBroker | None = None,
        use_broker: bool = True,
        openapi_url: str = "/openapi.json",
        body_limit_overrides: dict[str, int] | None = None,
        strict_query: bool = True,
    ) -> None:
        settings.check_production()
        # Before any client exists: pymongo takes its listeners when a client is made.
        configure_tracing(settings.service_name)
        self.settings = settings
        self.title = title
        self.openapi_url = openapi_url
        self.body_limit_overrides = body_limit_overrides or {}
        self.strict_query = strict_query
        self.routers = list(routers)
        self.broker = (
            broker if broker is not None else (make_broker(settings) if use_broker else None)
        )
        self.metrics = ServiceMetrics(settings.service_name)
        if self.broker is not None:
            bind_broker(self.broker, self.metrics)
        self.on_startup: list[Hook] = []
        self.on_shutdown: list[Hook] = []
        self.workers: list[Worker] = []
        self.extra_checks: dict[str, Callable[[ServiceContext], Awaitable[bool]]] = {}
        # Figures shown by readiness without deciding it (see htk_runtime.health).
        self.extra_reports: dict[str, Callable[[ServiceContext], dict[str, Any]]] = {}
        self.context: ServiceContext | None = None

    def startup(self, hook: Hook) -> Hook:
        self.on_startup.append(hook)
        return hook

    def shutdown(self, hook: Hook) -> Hook:
        self.on_shutdown.append(hook)
        return hook

    def worker(self, fn: Worker) -> Worker:
        self.workers.append(fn)
        return fn

    def ctx(self) -> ServiceContext:
        if self.context is None:
            raise RuntimeError(f"{self.title} is not started")
        return self.context

    async def _connect_broker(self, ctx: ServiceContext) -> None:
        assert self.broker is not None
        delay = 0.5
        while not ctx.stopping.is_set():
            try:
                await self.broker.start()
                ctx.broker_connected.set()
                log.info(
                    "broker connected", extra={"bootstrap": self.settings.kafka_bootstrap_servers}
                )
                return
            except Exception as exc:
                log.warning(
                    "broker not reachable, retrying", extra={"error": repr(exc), "retry_in": delay}
                )
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ctx.stopping.wait(), delay)
                delay = min(delay * 2, 10.0)

    async def _watch_broker(
        self, ctx: ServiceContext, interval: float = 0.5, timeout: float = 2.0
    ) -> None:
        assert self.broker is not None
        await ctx.broker_connected.wait()
        while not ctx.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.stopping.wait(), interval)
            if ctx.stopping.is_set():
                return
            if ctx.broker_connected.is_set():
                with untraced():
                    # As patient as readiness: a slow answer is no reason for a rebalance.
                    if await self.broker.ping(timeout=timeout):
                        continue
                log.warning("broker unreachable: consumers stop until it answers again")
                ctx.broker_connected.clear()
                # Stopped now, not when the broker is back: a consumer left running rejoins a
                # restarted broker by itself and can commit its old position there, which the
                # fresh consumer would then trust, skipping what the new log holds below it.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.broker.stop(), STOP_TIMEOUT_SECONDS)
            elif await _answers(self.settings.kafka_bootstrap_servers, timeout):
                log.warning("broker back: reconnecting, so consumers rejoin with a fresh state")
                await self._connect_broker(ctx)

    def _checks(self) -> dict[str, Check]:
        async def database() -> bool:
            with untraced():
                await self.ctx().mongo.admin.command("ping")
            return True

        checks: dict[str, Check] = {"database": database}
        if self.broker is not None:
            broker = self.broker

            async def kafka() -> bool:
                return self.ctx().broker_connected.is_set() and await broker.ping(timeout=2.0)

            checks["broker"] = kafka
        for name, check in self.extra_checks.items():
            checks[name] = lambda check=check: check(self.ctx())  # type: ignore[misc]
        return checks

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        configure_logging(self.settings.service_name, self.settings.log_level)
        mongo = make_mongo_client(self.settings)
        ctx = ServiceContext(
            settings=self.settings,
            mongo=mongo,
            db=mongo[self.settings.mongo_database],
            broker=self.broker,
        )
        self.context = ctx
        for hook in self.on_startup:
            await hook(ctx)
        connecting: asyncio.Task[None] | None = None
        watching: asyncio.Task[None] | None = None
        if self.broker is not None:
            connecting = asyncio.create_task(self._connect_broker(ctx), name="broker-connect")
            watching = asyncio.create_task(self._watch_broker(ctx), name="broker-watch")
        background = [
            asyncio.create_task(worker(ctx), name=getattr(worker, "__name__", "worker"))
            for worker in self.workers
        ]
        log.info("service started", extra={"port": self.settings.port})
        try:
            yield
        finally:
            log.info("service stopping")
            ctx.stopping.set()
            if connecting is not None and not connecting.done():
                connecting.cancel()  # nothing is in flight while still connecting
            if watching is not None:
                watching.cancel()
                await asyncio.gather(watching, return_exceptions=True)
            pending: set[asyncio.Task[None]] = set()
            if background:
                grace = self.settings.shutdown_grace_seconds
                _, pending = await asyncio.wait(background, timeout=grace)
            for task in pending:
                task.cancel()
            tasks = [*background, *([connecting] if connecting else [])]
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.broker is not None:
                with contextlib.suppress(Exception):
                    await self.broker.stop()
            for hook in reversed(self.on_shutdown):
                with contextlib.suppress(Exception):
                    await hook(ctx)
            await mongo.close()
            self.context = None
            log.info("service stopped")

    async def _observe_state(self) -> None:
        """Gauges of state held elsewhere, read when Prometheus scrapes."""
        ctx, metrics = self.context, self.metrics
        if ctx is None:
            return
        with untraced():
            try:
                outbox = await asyncio.wait_for(unsent_stats(ctx.db), 2.0)
            except Exception as exc:
                log.warning("outbox not readable for metrics", extra={"error": repr(exc)})
            else:
                if outbox is not None:
                    metrics.outbox_backlog.labels(metrics.service).set(outbox[0])
                    metrics.outbox_oldest_age.labels(metrics.service).set(outbox[1])
            if self.broker is not None and ctx.broker_connected.is_set():
                try:
                    lag = await asyncio.wait_for(consumer_lag(self.broker), 3.0)
                except Exception as exc:
                    log.warning("consumer lag not readable", extra={"error": repr(exc)})
                else:
                    # Partitions this process no longer holds drop out of the gauge.
                    metrics.consumer_lag.clear()
                    for (topic, partition), messages in lag.items():
                        metrics.consumer_lag.labels(metrics.service, topic, str(partition)).set(
                            messages
                        )

    def _metrics_router(self) -> APIRouter:
        router = APIRouter(tags=["metrics"])

        @router.get("/metrics", include_in_schema=False)
        async def metrics() -> Response:
            await self._observe_state()
            return Response(self.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

        return router

    def app(self) -> FastAPI:
        app = FastAPI(
            title=self.title,
            lifespan=self.lifespan,
            openapi_url=self.openapi_url,
            dependencies=[Depends(reject_unknown_query_parameters)] if self.strict_query else [],
        )
        install_error_handlers(app)
        app.add_middleware(
            BodyLimitMiddleware,
            limit=self.settings.max_body_bytes,
            overrides=self.body_limit_overrides,
        )
        app.add_middleware(RequestMetricsMiddleware, metrics=self.metrics)
        reports: dict[str, Callable[[], dict[str, Any]]] = {
            name: (lambda report=report: report(self.ctx()))  # type: ignore[misc]
            for name, report in self.extra_reports.items()
        }
        app.include_router(health_router(self._checks(), reports=reports))
        app.include_router(self._metrics_router())
        for router in self.routers:
            app.include_router(router)
        app.state.service = self
        name = self.settings.service_name

        def name_the_service(span: Any, scope: dict[str, Any]) -> None:
            # The resource names the process's service; several share one process in tests.
            if span.is_recording():
                span.set_attribute("htk.service", name)

        FastAPIInstrumentor.instrument_app(
            app,
            excluded_urls="/health/,/metrics",
            exclude_spans=["receive", "send"],
            server_request_hook=name_the_service,
        )
        return app
