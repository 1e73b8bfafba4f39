"""One action walked through the platform: its trace, and what each service's /metrics says."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client.parser import text_string_to_metric_families

from htk_cli.main import main as htk
from htk_contracts.topics import Topic
from htk_runtime.telemetry import JsonLinesSpanExporter
from htk_testing.runtime import EmbeddedStack, SpanRecorder, eventually
from tests.observability.stack import ORGANISATION, Platform, platform

ACTION = {
    "title": "Jäljitettävä kylätoiminta",
    "summary": "Kyläyhdistys järjestää viikoittaiset kohtaamiset syrjäkylien ikäihmisille.",
    "inequality_reduction": "Tavoittaa yksin asuvat ikäihmiset, joille palveluja on vähän.",
    "organisation_id": ORGANISATION,
    "measures": ["1.1.1"],
    "municipalities": ["564"],
}
ACTIONS = Topic.SUBMISSIONS_ACTIONS.value


@dataclass
class Walked:
    platform: Platform
    action_id: str
    trace_id: int  # the trace of the request that published the action
    spans: list[ReadableSpan]


def trace_of(response_headers: dict[str, str]) -> int:
    # traceresponse: 00-<trace id>-<span id>-<flags>
    return int(response_headers["traceresponse"].split("-")[1], 16)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def walked(
    embedded_stack: EmbeddedStack,
    token_keys: tuple[str, str],
    _span_recorder: SpanRecorder,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Walked]:
    workdir: Path = tmp_path_factory.mktemp("observability")
    async with platform(embedded_stack, token_keys, workdir) as running:
        gateway = running.gateway
        _span_recorder.finished.clear()
        _span_recorder.active = True
        try:
            created = await gateway.post("/api/v1/actions", json=ACTION)
            assert created.status_code == 201, created.text
            action_id = created.json()["id"]
            submitted = await gateway.post(
                f"/api/v1/actions/{action_id}/submit", headers={"If-Match": created.headers["ETag"]}
            )
            assert submitted.status_code == 200, submitted.text
            published = await gateway.post(
                f"/api/v1/actions/{action_id}/publish",
                headers={"If-Match": submitted.headers["ETag"]},
            )
            assert published.status_code == 200, published.text
            trace_id = trace_of(dict(published.headers))

            async def searchable() -> bool:
                found = await gateway.get("/api/v1/search", params={"q": "kylätoiminta"})
                return any(h["action_id"] == action_id for h in found.json()["items"])

            async def counted() -> bool:
                # Other tests' actions share the session's topic, so at least this one.
                rows = (await gateway.get("/api/v1/coverage")).json()["rows"]
                return any(r["code"] == "1.1.1" and int(r["actions"]) >= 1 for r in rows)

            await eventually(searchable, timeout=60)

            async def both_consumers_traced() -> bool:
                names = {s.name for s in _span_recorder.trace(trace_id)}
                return {f"search handle {ACTIONS}", f"reporting handle {ACTIONS}"} <= names

            # Reporting works through the session's earlier events first: wait for the span of
            # this publication rather than for a total.
            await eventually(both_consumers_traced, timeout=150)
            await eventually(counted, timeout=30)
            spans = _span_recorder.trace(trace_id)
        finally:
            _span_recorder.active = False
            _span_recorder.finished.clear()
        yield Walked(running, action_id, trace_id, spans)


# --- the trace ------------------------------------------------------------------------------


def only(spans: list[ReadableSpan], **match: object) -> ReadableSpan:
    found = [
        s
        for s in spans
        if all(
            (getattr(s, key) if key in ("name", "kind") else (s.attributes or {}).get(key)) == value
            for key, value in match.items()
        )
    ]
    assert len(found) == 1, f"{match}: {sorted(s.name for s in spans)}"
    return found[0]


def chain(span: ReadableSpan, spans: list[ReadableSpan]) -> list[str]:
    """The names from ``span`` up to the root of its trace."""
    by_id = {s.context.span_id: s for s in spans if s.context}
    names = [span.name]
    while span.parent is not None:
        assert span.parent.span_id in by_id, f"{span.name}: parent span missing from the trace"
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


async def test_one_publication_is_one_trace_from_the_gateway_to_both_consumers(
    walked: Walked,
) -> None:
    spans = walked.spans
    gateway = only(spans, kind=SpanKind.SERVER, **{"htk.service": "gateway"})
    assert (gateway.attributes or {})["http.route"] == "/api/v1/actions/{action_id}/{step}"
    handler = only(spans, kind=SpanKind.SERVER, **{"htk.service": "submissions"})
    assert (handler.attributes or {})["http.route"] == "/actions/{action_id}/{step}"
    assert str((handler.attributes or {})["http.target"]).endswith("/publish")
    added = only(spans, name=f"outbox add {ACTIONS}")
    relayed = only(spans, name=f"outbox relay {ACTIONS}")
    sent = only(spans, name=f"{ACTIONS} publish")
    search = only(spans, name=f"search handle {ACTIONS}", **{"htk.service": "search"})
    reporting = only(spans, name=f"reporting handle {ACTIONS}", **{"htk.service": "reporting"})

    # The gateway's request is the root; everything else hangs from it.
    assert gateway.parent is None
    roots = [s for s in spans if s.parent is None]
    assert roots == [gateway]
    for span in spans:
        assert chain(span, spans)[-1] == gateway.name

    # gateway → (httpx) → submissions handler → outbox → relay → broker → each consumer
    (call,) = [s for s in spans if s.kind == SpanKind.CLIENT and s.name == "POST"]
    assert chain(handler, spans) == [handler.name, call.name, gateway.name]
    assert handler.name in chain(added, spans)
    assert relayed.parent is not None and added.context is not None
    assert relayed.parent.span_id == added.context.span_id
    assert relayed.name in chain(sent, spans)
    for consumer in (search, reporting):
        path = chain(consumer, spans)
        assert path[1] == f"{ACTIONS} process"
        assert relayed.name in path and handler.name in path
        assert consumer.status.status_code != StatusCode.ERROR
        # the consumer's own database work is part of the same trace
        assert any(
            s.kind == SpanKind.CLIENT
            and (s.attributes or {}).get("db.system") == "mongodb"
            and consumer.name in chain(s, spans)
            for s in spans
        )


# --- the metrics ----------------------------------------------------------------------------

Sample = tuple[str, dict[str, str], float]


def samples(text: str) -> list[Sample]:
    return [
        (s.name, dict(s.labels), s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def value(found: list[Sample], name: str, **labels: str) -> float | None:
    matching = [v for n, ls, v in found if n == name and labels.items() <= ls.items()]
    return sum(matching) if matching else None


async def scrape(walked: Walked, service: str) -> list[Sample]:
    found = samples(await walked.platform.metrics(service))
    own = [ls.get("service") for n, ls, _ in found if n.startswith("htk_")]
    assert own and set(own) == {service}, "a service's /metrics shows its own numbers only"
    return found


async def test_each_service_serves_its_metrics_with_route_topic_and_partition_labels(
    walked: Walked,
) -> None:
    gateway = walked.platform.gateway
    assert (await gateway.get("/api/v1/plan")).status_code == 200
    bad = await gateway.post("/api/v1/actions", json={**ACTION, "measures": []})
    assert bad.status_code == 422

    found = await scrape(walked, "gateway")
    step = {"service": "gateway", "route": "/api/v1/actions/{action_id}/{step}", "method": "POST"}
    assert value(found, "htk_http_requests_total", **step, status="200") == 2
    assert value(found, "htk_http_requests_total", route="/api/v1/actions", status="201") == 1
    assert value(found, "htk_http_requests_total", route="/api/v1/actions", status="422") == 1
    assert value(found, "htk_http_request_duration_seconds_count", **step) == 2
    assert value(found, "htk_http_request_duration_seconds_bucket", **step, le="+Inf") == 2
    assert value(found, "htk_http_requests_total", route="/api/v1/search")

    found = await scrape(walked, "catalogue")
    assert value(found, "htk_http_requests_total", route="/plan", status="200")

    found = await scrape(walked, "submissions")
    step = {"route": "/actions/{action_id}/{step}", "method": "POST", "status": "200"}
    assert value(found, "htk_http_requests_total", **step) == 2  # submit, publish
    assert (value(found, "htk_events_published_total", topic=ACTIONS) or 0) >= 3
    assert value(found, "htk_outbox_backlog_events") == 0
    assert value(found, "htk_outbox_oldest_unsent_age_seconds") == 0
    assert value(found, "process_resident_memory_bytes")

    async def lag_known(service: str, topic: str) -> list[Sample]:
        found = await scrape(walked, service)
        lag = [s for s in found if s[0] == "htk_consumer_lag_messages" and s[1]["topic"] == topic]
        return found if lag and all(s[1]["partition"].isdigit() for s in lag) else []

    await eventually(lambda: lag_known("submissions", "catalogue.plan.v1"), timeout=30)
    for service, read_route in (("search", "/search"), ("reporting", "/coverage")):
        found = await eventually(lambda s=service: lag_known(s, ACTIONS), timeout=30)
        assert (
            value(found, "htk_events_consumed_total", topic=ACTIONS, outcome="applied") or 0
        ) >= 3
        # publish-to-searchable (search) and publish-to-counted (reporting)
        assert (value(found, "htk_event_delay_seconds_count", topic=ACTIONS) or 0) >= 3
        assert value(found, "htk_http_request_duration_seconds_count", route=read_route)
        assert value(found, "htk_consumer_lag_messages", topic=ACTIONS) is not None


# --- the same trace from the local trace file, as `htk trace` prints it ----------------------


async def test_htk_trace_prints_the_trace_from_the_local_file_as_a_tree(
    walked: Walked, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exporter = JsonLinesSpanExporter(tmp_path / "gateway.jsonl")
    assert exporter.export(walked.spans) == SpanExportResult.SUCCESS
    traceresponse = f"00-{walked.trace_id:032x}-{1:016x}-01"  # pasted from a response header
    assert htk(["trace", traceresponse, "--dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"trace {walked.trace_id:032x}: {len(walked.spans)} spans")
    assert len(lines) == 2 + len(walked.spans)
    body = "\n".join(lines[2:])
    order = [
        "POST /api/v1/actions/{action_id}/{step}",
        "└─ POST",
        "POST /actions/{action_id}/{step}",
        f"outbox add {ACTIONS}",
        f"outbox relay {ACTIONS}",
        f"{ACTIONS} publish",
    ]
    positions = [body.index(name) for name in order]
    assert positions == sorted(positions)
    for consumer in ("search", "reporting"):
        (line,) = [x for x in lines if x.endswith(f"{consumer} handle {ACTIONS}")]
        # nested below the relay: deeper than the relay's line
        (relay,) = [x for x in lines if x.endswith(f"outbox relay {ACTIONS}")]
        assert line.index(f"{consumer} handle") > relay.index("outbox relay")

    assert htk(["trace", "--dir", str(tmp_path)]) == 0
    listed = capsys.readouterr().out
    assert (
        f"{walked.trace_id:032x}" in listed and "POST /api/v1/actions/{action_id}/{step}" in listed
    )
