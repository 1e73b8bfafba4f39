"""Traces through MongoDB, the outbox, the broker and a consumer; trace ids in the logs."""

import asyncio
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind

from htk_contracts.envelope import Envelope, new_envelope
from htk_runtime.broker import make_broker
from htk_runtime.consumer import consume
from htk_runtime.logging import JsonFormatter
from htk_runtime.metrics import metrics_of
from htk_runtime.mongo import make_mongo_client
from htk_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_indexes
from htk_runtime.settings import ServiceSettings
from htk_runtime.telemetry import (
    JsonLinesSpanExporter,
    TelemetrySettings,
    _processors,
    environment_variables,
    tracer,
)
from htk_testing.runtime import SpanRecorder, eventually


@pytest.fixture
def settings(service_env: dict[str, str]) -> ServiceSettings:
    return ServiceSettings(service_name="trace-test")


def by_name(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, f"{name}: {[s.name for s in spans]}"
    return found[0]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


def ancestors(span: ReadableSpan, spans: list[ReadableSpan]) -> list[int]:
    by_id = {span_id(s): s for s in spans}
    found, parent = [], parent_of(span)
    while parent is not None:
        found.append(parent)
        parent = parent_of(by_id[parent]) if parent in by_id else None
    return found


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.span_id


async def test_async_mongo_commands_are_spans_of_the_current_trace(
    settings: ServiceSettings, spans: SpanRecorder
) -> None:
    mongo = make_mongo_client(settings)
    try:
        with tracer().start_as_current_span("request") as request:
            await mongo[settings.mongo_database]["things"].insert_one({"a": 1})
            assert await mongo[settings.mongo_database]["things"].find_one({"a": 1})
    finally:
        await mongo.close()
    mine = spans.trace(request.get_span_context().trace_id)
    database = [s for s in mine if (s.attributes or {}).get("db.system") == "mongodb"]
    assert {s.name for s in database} == {
        f"{settings.mongo_database}.insert",
        f"{settings.mongo_database}.find",
    }
    assert all(s.kind == SpanKind.CLIENT for s in database)
    assert all(parent_of(s) == request.get_span_context().span_id for s in database)


async def test_one_trace_runs_from_the_outbox_through_the_broker_into_the_consumer(
    settings: ServiceSettings, spans: SpanRecorder
) -> None:
    topic = f"test.trace.{uuid.uuid4().hex[:8]}"
    mongo = make_mongo_client(settings)
    db = mongo[settings.mongo_database]
    await ensure_outbox_indexes(db)
    outbox = Outbox(db)
    handled: list[int] = []

    async def handle(envelope: Envelope[dict[str, Any]]) -> None:
        await db["applied"].insert_one({"_id": envelope.id})
        handled.append(trace.get_current_span().get_span_context().trace_id)

    broker = make_broker(settings)
    consume(broker, settings, {topic: handle})
    await broker.start()
    connected, stopping = asyncio.Event(), asyncio.Event()
    connected.set()
    relay = OutboxRelay(db, outbox, broker, poll_interval=0.1)
    task = asyncio.create_task(relay.run(stopping, connected))
    try:
        with tracer().start_as_current_span("request") as request:
            async with mongo.start_session() as session, await session.start_transaction():
                await outbox.add(
                    session,
                    topic=topic,
                    envelope=new_envelope(
                        source="/test",
                        type="fi.htk.test.happened.v1",
                        subject="agg-1",
                        aggregateversion=1,
                        data={},
                    ),
                )
        outbox.notify()
        await eventually(lambda: _true(bool(handled)), timeout=30)
        stored = await db["outbox"].find_one({})
    finally:
        stopping.set()
        await task
        await broker.stop()
        await mongo.close()

    trace_id = request.get_span_context().trace_id
    assert handled == [trace_id], "the handler ran inside the request's trace"
    assert stored is not None
    assert stored["event"]["traceparent"].split("-")[1] == f"{trace_id:032x}"

    await eventually(lambda: _true(any(s.name.endswith("handle " + topic) for s in spans.finished)))
    mine = spans.trace(trace_id)
    added = by_name(mine, f"outbox add {topic}")
    relayed = by_name(mine, f"outbox relay {topic}")
    published = by_name(mine, f"{topic} publish")
    processed = by_name(mine, f"{topic} process")
    handled_span = by_name(mine, f"trace-test handle {topic}")
    (applied,) = [
        s
        for s in mine
        if s.name == f"{settings.mongo_database}.insert" and parent_of(s) == span_id(handled_span)
    ]
    assert parent_of(added) == span_id(request)  # type: ignore[arg-type]
    assert parent_of(relayed) == span_id(added)
    # FastStream marks the message's creation with a span both publish and process hang from.
    created = by_name(mine, f"{topic} create")
    assert parent_of(created) == span_id(relayed)
    assert parent_of(published) == span_id(created)
    assert published.kind == SpanKind.PRODUCER
    assert parent_of(processed) == span_id(created)
    assert span_id(request) in ancestors(processed, mine)
    assert processed.kind == SpanKind.CONSUMER
    assert parent_of(handled_span) == span_id(processed)
    assert applied.kind == SpanKind.CLIENT
    # The relay's polling (lease, reads, marking sent) makes no spans of its own.
    assert not [s for s in spans.finished if s.name.endswith(".findAndModify")]

    metrics = metrics_of(broker, settings.service_name)
    assert metrics.events_published.labels("trace-test", topic)._value.get() == 1
    assert metrics.events_consumed.labels("trace-test", topic, "applied")._value.get() == 1


def test_every_log_line_carries_the_trace_and_span_ids() -> None:
    formatter = JsonFormatter("svc")

    def line() -> dict[str, Any]:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
        return dict(json.loads(formatter.format(record)))

    outside = line()
    assert outside["trace_id"] is None and outside["span_id"] is None
    with tracer().start_as_current_span("work") as span:
        inside = line()
    context = span.get_span_context()
    assert inside["trace_id"] == f"{context.trace_id:032x}"
    assert inside["span_id"] == f"{context.span_id:016x}"
    assert inside["message"] == "hello" and inside["service"] == "svc"


async def _true(value: bool) -> bool:
    return value


def test_traces_stay_local_unless_the_otel_variables_say_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for variable in environment_variables():
        monkeypatch.delenv(variable, raising=False)
    assert TelemetrySettings().exporters() == ["none"]
    assert list(_processors(TelemetrySettings())) == []
    monkeypatch.setenv("HTK_TRACE_FILE", str(tmp_path / "svc.jsonl"))
    assert TelemetrySettings().exporters() == ["file"]
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp, console")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    exporters = [p.span_exporter for p in _processors(TelemetrySettings())]  # type: ignore[attr-defined]
    assert [type(e).__name__ for e in exporters] == ["OTLPSpanExporter", "ConsoleSpanExporter"]
    for exporter in exporters:
        exporter.shutdown()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert TelemetrySettings().sdk_disabled


def test_the_trace_file_holds_one_json_span_per_line_and_rolls_over(tmp_path: Path) -> None:
    path = tmp_path / "traces" / "svc.jsonl"
    provider = TracerProvider(resource=Resource.create({"service.name": "svc"}))
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path, max_bytes=2000)))
    own = provider.get_tracer("test")
    with own.start_as_current_span("parent") as parent, own.start_as_current_span("child") as child:
        child.set_attribute("codes", ("1.1.1", "1.1.2"))
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["name"] for r in records] == ["child", "parent"]
    child_record, parent_record = records
    assert child_record["trace_id"] == f"{parent.get_span_context().trace_id:032x}"
    assert child_record["parent_id"] == parent_record["span_id"]
    assert parent_record["parent_id"] is None
    assert child_record["service"] == "svc" and child_record["attributes"]["codes"] == [
        "1.1.1",
        "1.1.2",
    ]
    for _ in range(20):
        with own.start_as_current_span("more"):
            pass
    assert (tmp_path / "traces" / "svc.jsonl.1").exists()
    assert path.stat().st_size <= 2000 + 1000
    provider.shutdown()
