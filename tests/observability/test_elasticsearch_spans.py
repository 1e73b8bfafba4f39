"""The Elasticsearch client traces its own calls once the platform's tracer provider is set.

The search service's Elasticsearch backend needs no instrumentation of its own: elasticsearch-py
8.13+ makes a span per API call through the global provider (switch:
OTEL_PYTHON_INSTRUMENTATION_ELASTICSEARCH_ENABLED). The server here answers one search over real
HTTP as Elasticsearch 8 would; what is tested is the client's side of the trace.
"""

from typing import Any

from elasticsearch import AsyncElasticsearch
from fastapi import FastAPI, Response
from opentelemetry.trace import SpanKind

from htk_runtime.processes import free_port
from htk_runtime.telemetry import tracer
from htk_testing.runtime import SpanRecorder
from tests.observability.stack import HOST, serving

ELASTIC = {"X-Elastic-Product": "Elasticsearch", "content-type": "application/json"}


def elasticsearch_answering_searches() -> FastAPI:
    app = FastAPI()

    @app.post("/{index}/_search")
    async def search(index: str) -> Response:
        body = '{"took": 1, "timed_out": false, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}'
        return Response(body, headers=ELASTIC)

    return app


async def test_elasticsearch_calls_are_client_spans_of_the_current_trace(
    spans: SpanRecorder,
) -> None:
    async with serving(elasticsearch_answering_searches(), free_port(HOST)) as url:
        client = AsyncElasticsearch(url)
        try:
            with tracer().start_as_current_span("request") as request:
                found: Any = await client.search(index="htk-actions", query={"match_all": {}})
        finally:
            await client.close()
    assert found["hits"]["total"]["value"] == 0
    context = request.get_span_context()
    (span,) = [
        s
        for s in spans.trace(context.trace_id)
        if (s.attributes or {}).get("db.system") == "elasticsearch"
    ]
    assert span.name == "search"
    assert span.kind in (SpanKind.CLIENT, SpanKind.INTERNAL)
    assert span.parent is not None and span.parent.span_id == context.span_id
    assert (span.attributes or {}).get("db.elasticsearch.path_parts.index") == "htk-actions"
