"""FastStream Kafka broker factory and the options every consumer shares."""

import logging
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.security import SASLScram512

from htk_runtime.settings import ServiceSettings


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    security = (
        SASLScram512(settings.kafka_sasl_username, settings.kafka_sasl_password, use_ssl=False)
        if settings.kafka_sasl_username
        else None
    )
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        security=security,
        # acks=all: an event counts as sent only once every in-sync replica has it.
        acks="all",
        client_id=f"htk-{settings.service_name}",
        graceful_timeout=settings.shutdown_grace_seconds,
        logger=logging.getLogger(f"htk.{settings.service_name}.broker"),
        log_level=logging.DEBUG,
        # Publish and process spans, the trace context carried in the Kafka headers.
        middlewares=[KafkaTelemetryMiddleware()],
    )


def consumer_options(settings: ServiceSettings) -> dict[str, Any]:
    return {
        "group_id": f"{settings.kafka_group_prefix}-{settings.service_name}",
        "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.kafka_session_timeout_ms,
        "heartbeat_interval_ms": settings.kafka_heartbeat_interval_ms,
    }
