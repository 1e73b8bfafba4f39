"""OpenTelemetry tracing, configured once per process by the standard ``OTEL_*`` variables.

What is traced: incoming HTTP (FastAPI, per app in :class:`htk_runtime.service.Service`), outgoing
HTTP (httpx, every client), MongoDB (pymongo's command listener, which the async client reports
to as well), Elasticsearch (its client traces itself once a tracer provider is set), Kafka
(FastStream's telemetry middleware, see :mod:`htk_runtime.broker`), and the outbox, whose events
carry the trace context of the change that wrote them (:mod:`htk_runtime.outbox`).

Variables, all optional:

- ``OTEL_SDK_DISABLED=true``: no tracing at all.
- ``OTEL_TRACES_EXPORTER``: comma-separated ``otlp`` (HTTP/protobuf to
  ``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``), ``console``,
  ``file`` (JSON lines to ``HTK_TRACE_FILE``, printed as a tree by ``htk trace <id>``) or
  ``none``. Unlike the OpenTelemetry default (``otlp``), unset means ``file`` when
  ``HTK_TRACE_FILE`` is set and ``none`` otherwise: the embedded platform needs no collector.
  Spans are made even with ``none``, so log lines carry trace ids and context still travels.
- ``OTEL_SERVICE_NAME`` (default: the service's own name), ``OTEL_RESOURCE_ATTRIBUTES``,
  ``OTEL_TRACES_SAMPLER``/``OTEL_TRACES_SAMPLER_ARG`` and the exporter's own variables are read
  by the SDK as usual.
"""

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.propagators import (
    TraceResponsePropagator,
    set_global_response_propagator,
)
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from htk_runtime.redaction import RedactingSpanProcessor

log = logging.getLogger(__name__)

TRACER_NAME = "htk"
_PROPAGATOR = TraceContextTextMapPropagator()
_lock = threading.Lock()
_configured = False


class TelemetrySettings(BaseSettings):
    """The variables this module honours; the OpenTelemetry SDK reads its other ones itself.

    Not part of :class:`~htk_runtime.settings.ServiceSettings`: these are the standard
    OpenTelemetry names, optional in every deployment.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    sdk_disabled: bool = Field(default=False, validation_alias="OTEL_SDK_DISABLED")
    service_name: str | None = Field(default=None, validation_alias="OTEL_SERVICE_NAME")
    resource_attributes: str | None = Field(
        default=None, validation_alias="OTEL_RESOURCE_ATTRIBUTES"
    )
    traces_exporter: str | None = Field(default=None, validation_alias="OTEL_TRACES_EXPORTER")
    exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    exporter_otlp_protocol: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_PROTOCOL"
    )
    # The local trace file of the embedded platform (set by `htk up`).
    trace_file: Path | None = Field(default=None, validation_alias="HTK_TRACE_FILE")

    def exporters(self) -> list[str]:
        default = "file" if self.trace_file else "none"
        names = (self.traces_exporter or default).split(",")
        return [n.strip().lower() for n in names if n.strip()]


def environment_variables() -> frozenset[str]:
    """The variables a deployment may set for telemetry (all optional)."""
    return frozenset(str(info.validation_alias) for info in TelemetrySettings.model_fields.values())


def configure_tracing(service_name: str) -> None:
    """Install the process's tracer provider and instrument httpx and pymongo, once.

    Several services in one process (tests) share the first one's provider; the service of a
    span is then in its ``htk.service`` attribute where the platform sets one.
    """
    global _configured
    with _lock:
        if _configured:
            return
        _configured = True
    settings = TelemetrySettings()
    if settings.sdk_disabled:
        return
    attributes: dict[str, Any] = {}
    if not settings.service_name:
        attributes[SERVICE_NAME] = service_name
    provider = TracerProvider(resource=Resource.create(attributes))
    for processor in _processors(settings):
        # What leaves the process is redacted: link secrets and addresses (htk_runtime.redaction).
        provider.add_span_processor(RedactingSpanProcessor(processor))
    trace.set_tracer_provider(provider)
    # Answers carry `traceresponse: 00-<trace id>-<span id>-01`: a user's "it did not show up"
    # comes with the id that `htk trace` or Jaeger looks up.
    set_global_response_propagator(TraceResponsePropagator())

    # pymongo copies the registered listeners into each client it creates: instrument before
    # any client exists (Service does this in its constructor).
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

    HTTPXClientInstrumentor().instrument()
    PymongoInstrumentor().instrument()


def _processors(settings: TelemetrySettings) -> Iterator[SpanProcessor]:
    for name in settings.exporters():
        if name == "none":
            continue
        if name == "otlp":
            protocol = (settings.exporter_otlp_protocol or "http/protobuf").lower()
            if protocol != "http/protobuf":
                log.warning(
                    "only the http/protobuf OTLP protocol is installed; using it",
                    extra={"requested": protocol},
                )
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            yield BatchSpanProcessor(OTLPSpanExporter())
        elif name == "console":
            yield BatchSpanProcessor(ConsoleSpanExporter())
        elif name == "file":
            if settings.trace_file is None:
                log.warning("OTEL_TRACES_EXPORTER=file needs HTK_TRACE_FILE; no file written")
                continue
            yield BatchSpanProcessor(JsonLinesSpanExporter(settings.trace_file))
        else:
            log.warning("unknown OTEL_TRACES_EXPORTER value ignored", extra={"exporter": name})


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the active span, if there is one."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> Any:
    """A context whose parent is the span ``traceparent`` names (empty context if none)."""
    return _PROPAGATOR.extract({"traceparent": traceparent} if traceparent else {})


@contextlib.contextmanager
def untraced() -> Iterator[None]:
    """No spans from instrumented libraries inside (database polling, health checks, scrapes).

    Such calls have no request around them, so each would start a trace of its own.
    """
    with suppress_instrumentation():
        yield


# --- the local trace file --------------------------------------------------------------------


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """One span as a flat JSON object (the format of the trace file, read by ``htk trace``)."""
    context = span.get_span_context()
    assert context is not None
    attributes = dict(span.attributes or {})
    resource = span.resource.attributes if span.resource else {}
    start, end = span.start_time or 0, span.end_time or span.start_time or 0
    return {
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "name": span.name,
        "kind": span.kind.name.lower(),
        "service": attributes.get("htk.service") or resource.get(SERVICE_NAME),
        "start": datetime.fromtimestamp(start / 1e9, UTC).isoformat(timespec="microseconds"),
        "duration_ms": round((end - start) / 1e6, 3),
        "status": span.status.status_code.name.lower(),
        "attributes": {k: list(v) if isinstance(v, tuple) else v for k, v in attributes.items()},
        "links": [
            {"trace_id": f"{link.context.trace_id:032x}", "span_id": f"{link.context.span_id:016x}"}
            for link in span.links
        ],
    }


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object per line; no collector needed.

    Past ``max_bytes`` the file becomes ``<file>.1`` (replacing the one before), so a platform
    left running keeps about two files' worth of recent traces.
    """

    def __init__(self, path: Path, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(span_record(s), default=str) + "\n" for s in spans)
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileNotFoundError):
                    if self.path.stat().st_size > self.max_bytes:
                        self.path.replace(f"{self.path}.1")
                # One write per batch with O_APPEND keeps lines whole when processes share a file.
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, lines.encode())
                finally:
                    os.close(fd)
        except OSError:
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass
