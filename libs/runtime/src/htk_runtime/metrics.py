"""Prometheus metrics of one service, served on its ``/metrics``.

Each service has a registry of its own, and every metric a ``service`` label, so several services
in one process (tests) keep their numbers apart. Counters and histograms are updated where things
happen (HTTP middleware here, broker middleware, :func:`htk_runtime.consumer.consume`); gauges
that describe state elsewhere (consumer lag, outbox backlog) are read when Prometheus scrapes.

The dashboard (deploy/compose/observability/grafana/dashboards/htk-platform.json) and the alert
rules (deploy/compose/observability/prometheus/alerts.yml) use these names; tests check that every
name they use is defined here.
"""

import functools
import time
import weakref
from typing import Any

from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_TYPE_LATEST", "ServiceMetrics", "metrics_of"]

# Seconds; from a fast indexed read to a slow export.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Seconds from a change to a projection: under a second normally, minutes while a broker is away.
DELAY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        r = self.registry
        self.http_requests = Counter(
            "htk_http_requests",
            "HTTP requests answered, by route template and status code.",
            ["service", "method", "route", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "htk_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template (search latency is "
            'route="/search" of the search service).',
            ["service", "method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.events_published = Counter(
            "htk_events_published",
            "Events published to the broker, by topic (dead letters go to <topic>.dlt).",
            ["service", "topic"],
            registry=r,
        )
        self.publish_failures = Counter(
            "htk_event_publish_failures",
            "Attempts to publish an event that failed, by topic.",
            ["service", "topic"],
            registry=r,
        )
        self.events_consumed = Counter(
            "htk_events_consumed",
            "Events taken from the broker, by topic and outcome "
            "(applied, dead_letter, retry: failed and will come again).",
            ["service", "topic", "outcome"],
            registry=r,
        )
        self.event_delay = Histogram(
            "htk_event_delay_seconds",
            "Time from the change that made an event (its envelope time, when the outbox got it) "
            "until this service applied it: publish-to-searchable in search, "
            "publish-to-counted in reporting.",
            ["service", "topic"],
            buckets=DELAY_BUCKETS,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "htk_consumer_lag_messages",
            "Messages in a partition not yet processed by this service's consumer group.",
            ["service", "topic", "partition"],
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "htk_outbox_backlog_events",
            "Events in the outbox not yet published.",
            ["service"],
            registry=r,
        )
        self.outbox_parked = Counter(
            "htk_outbox_parked_events",
            "Events the outbox relay stopped publishing after repeated failures, by topic "
            "(inspect and send again with htk outbox list|show|resend).",
            ["service", "topic"],
            registry=r,
        )
        self.outbox_oldest_age = Gauge(
            "htk_outbox_oldest_unsent_age_seconds",
            "Age of the oldest event in the outbox not yet published (0 when none waits).",
            ["service"],
            registry=r,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(self.service, method, route, str(status)).inc()
        self.http_duration.labels(self.service, method, route).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


# A consumer is declared with the broker only; the service that owns the broker owns its metrics.
_by_broker: "weakref.WeakKeyDictionary[KafkaBroker, ServiceMetrics]" = weakref.WeakKeyDictionary()


def bind_broker(broker: KafkaBroker, metrics: ServiceMetrics) -> None:
    _by_broker[broker] = metrics
    broker.add_middleware(functools.partial(_PublishCounter, metrics=metrics))


def metrics_of(broker: KafkaBroker, service: str) -> ServiceMetrics:
    """The metrics of the service owning ``broker`` (a detached set for a bare broker)."""
    found = _by_broker.get(broker)
    if found is None:
        found = ServiceMetrics(service)
        bind_broker(broker, found)
    return found


class _PublishCounter(BaseMiddleware):
    """Counts every publish through the broker: the outbox relay's events and dead letters."""

    def __init__(self, msg: Any, /, *, context: Any, metrics: ServiceMetrics) -> None:
        super().__init__(msg, context=context)
        self.metrics = metrics

    async def publish_scope(self, call_next: Any, cmd: Any) -> Any:
        metrics, topic = self.metrics, str(getattr(cmd, "destination", ""))
        try:
            result = await call_next(cmd)
        except Exception:
            metrics.publish_failures.labels(metrics.service, topic).inc()
            raise
        metrics.events_published.labels(metrics.service, topic).inc()
        return result


class RequestMetricsMiddleware:
    """Counts and times every HTTP request by its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            # The router writes the matched route into the scope it was given (this one).
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.observe_request(
                scope["method"], route, status, time.perf_counter() - start
            )
