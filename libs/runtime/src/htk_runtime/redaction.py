"""Secrets and addresses are taken out of everything that leaves a process as logs or traces.

Logs and traces are kept longer and read by more people (operators, a tracing vendor) than the
database: a sign-in link secret in an access log or a span's ``url.path`` signs its reader in,
and an email address there is personal data outside the member register. Redacting where the
text leaves (a logging filter on the handler, a span processor in front of every exporter)
catches what any library logs or records, not only our own lines.

What is redacted:

- email addresses, also percent-encoded (``ville%40example.org``), as ``[email]``;
- the secret in a sign-in link path (``/auth/link/<secret>``);
- the value of query parameters that carry secrets or addresses (``token``, ``secret``,
  ``email``, ``code``, ``sig``, ``signature``, ``password``, ``key``).
"""

import logging
import re
from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Status

REDACTED = "[redacted]"
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
# A route template (/auth/link/{secret}) is no secret and stays readable.
_LINK_SECRET = re.compile(r"(/auth/link/)(?!\{)[^/?#\s\"'<>]+")
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:token|secret|email|code|sig|signature|password|key)=)[^&#\s\"'<>]+"
)


def redact(text: str) -> str:
    if "@" not in text and "%40" not in text and "/auth/link/" not in text and "=" not in text:
        return text  # the common case, without running the patterns
    text = _LINK_SECRET.sub(rf"\1{REDACTED}", text)
    text = _SECRET_PARAM.sub(rf"\1{REDACTED}", text)
    return _EMAIL.sub("[email]", text)


def redact_value(value: Any) -> Any:
    """Strings redacted, inside lists, tuples and mappings too; other values as they are."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    return value


# --- logs -------------------------------------------------------------------------------------

_RECORD_FIELDS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)


class RedactingFilter(logging.Filter):
    """On a handler: every record it writes has its message and extra fields redacted.

    A handler filter sees the records of every logger that propagates to it (uvicorn's access
    log, httpx, FastStream), which a logger filter would not."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                record.__dict__[key] = redact_value(value)
        return True


# --- traces -----------------------------------------------------------------------------------


def _attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: redact_value(v) for k, v in (attributes or {}).items()}


def redacted_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of a finished span with its name, attributes, events and status redacted (the
    same span when there is nothing to redact, which is most of them)."""
    attributes = _attributes(span.attributes)
    events = [Event(e.name, _attributes(e.attributes), e.timestamp) for e in span.events]
    description = span.status.description
    status = Status(span.status.status_code, redact(description) if description else None)
    name = redact(span.name)
    unchanged = (
        name == span.name
        and attributes == dict(span.attributes or {})
        and all(
            new.attributes == dict(old.attributes or {})
            for new, old in zip(events, span.events, strict=True)
        )
        and status.description == description
    )
    if unchanged:
        return span
    return ReadableSpan(
        name=name,
        context=span.get_span_context(),
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class RedactingSpanProcessor(SpanProcessor):
    """In front of an exporting processor: what it exports is redacted first."""

    def __init__(self, inner: SpanProcessor) -> None:
        self.inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self.inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self.inner.on_end(redacted_span(span))

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)
