"""Link secrets and addresses are redacted from log lines and exported spans."""

import io
import json
import logging

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from htk_runtime.logging import JsonFormatter
from htk_runtime.redaction import RedactingFilter, RedactingSpanProcessor, redact

SECRET = "Q2hvb3NlLWEtbG9uZy1zZWNyZXQtaGVyZS0xMjM0NTY"
EMAIL = "ville.vapaaehtoinen@example.org"


def test_redact_covers_paths_queries_and_addresses() -> None:
    text = (
        f"GET /auth/link/{SECRET} 200; POST https://htk.example/auth/link/{SECRET}?next=/my "
        f"/actions/a1/confirm?token={SECRET}&x=1 /members?email=ville%40example.org to {EMAIL}"
    )
    out = redact(text)
    assert SECRET not in out and EMAIL not in out and "ville%40example.org" not in out, out
    assert "/auth/link/[redacted]" in out and "token=[redacted]&x=1" in out
    assert redact("/auth/link/{secret}") == "/auth/link/{secret}", "a route template stays"
    assert redact("count=3 plan_version=2") == "count=3 plan_version=2"


def test_log_lines_are_redacted_from_message_args_extras_and_exceptions() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info(
            '%s - "GET /auth/link/%s HTTP/1.1" 200', "127.0.0.1:5000", SECRET
        )  # uvicorn's access log format
        logger.info("mail written", extra={"to": EMAIL, "links": [f"http://x/auth/link/{SECRET}"]})
        try:
            raise ValueError(f"no member {EMAIL}")
        except ValueError:
            logger.exception("lookup failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert SECRET not in output and EMAIL not in output, output
    lines = [json.loads(line) for line in output.splitlines()]
    assert lines[0]["message"] == '127.0.0.1:5000 - "GET /auth/link/[redacted] HTTP/1.1" 200'
    assert lines[1]["to"] == "[email]"
    assert "no member [email]" in lines[2]["exception"]


def test_spans_are_redacted_before_export() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(RedactingSpanProcessor(SimpleSpanProcessor(exporter)))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span(f"GET /auth/link/{SECRET}") as span:
        span.set_attribute("url.path", f"/auth/link/{SECRET}")
        span.set_attribute("http.route", "/auth/link/{secret}")
        span.set_attribute("url.query", f"email={EMAIL}")
        span.set_attribute("db.rows", 3)
        span.add_event("sent", {"to": [EMAIL, "x"]})
    with tracer.start_as_current_span("plain") as span:
        span.set_attribute("url.path", "/plan")
    redacted, plain = exporter.get_finished_spans()
    record = json.dumps(
        {
            "name": redacted.name,
            "attributes": dict(redacted.attributes or {}),
            "events": [dict(e.attributes or {}) for e in redacted.events],
        }
    )
    assert SECRET not in record and EMAIL not in record, record
    assert redacted.attributes is not None
    assert redacted.attributes["http.route"] == "/auth/link/{secret}"
    assert redacted.attributes["db.rows"] == 3
    assert redacted.context is not None and redacted.context.is_valid
    assert plain.attributes == {"url.path": "/plan"}
