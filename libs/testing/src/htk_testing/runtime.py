"""Pytest plugin for every service's tests: one tansu broker and one SecantusDB per session.

Enabled from the root ``conftest.py``. Each test gets its own database name, so tests never see
each other's data, while the processes start only once.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from pydantic import BaseModel

from htk_contracts.envelope import Envelope, new_envelope
from htk_runtime.auth import HEADER, User, generate_keypair, sign
from htk_runtime.embedded import mongo_uri, start_secantus, start_tansu
from htk_runtime.processes import free_port
from htk_runtime.telemetry import configure_tracing

T = TypeVar("T")


def received(
    source: str, type: str, subject: str, version: int, data: BaseModel
) -> Envelope[dict[str, Any]]:
    """An event as a consumer receives it: the data as plain JSON values, not the model it was
    made from, so handlers are tested on what actually crosses the broker."""
    e = new_envelope(
        source=source,
        type=type,
        subject=subject,
        aggregateversion=version,
        data=data.model_dump(mode="json"),
    )
    return Envelope[dict[str, Any]].model_validate(e.model_dump())


@dataclass(frozen=True)
class EmbeddedStack:
    kafka_bootstrap_servers: str
    mongo_uri: str
    workdir: Path


@pytest.fixture(scope="session")
def embedded_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SecantusDB for the session; its URI. Apart from the broker, so that the in-memory broker
    tier (``broker_tier``) starts no broker process for a case that needs only the database."""
    workdir = tmp_path_factory.mktemp("embedded-db")
    host = "127.0.0.1"
    port = free_port(host)
    db = start_secantus(host, port, workdir / "db", workdir / "secantus.log")
    try:
        yield mongo_uri(host, port)
    finally:
        db.stop(10)


@pytest.fixture(scope="session")
def embedded_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tansu for the session; its bootstrap address."""
    workdir = tmp_path_factory.mktemp("embedded-kafka")
    host = "127.0.0.1"
    port = free_port(host)
    tansu = start_tansu(host, port, workdir / "tansu.log")
    try:
        yield f"{host}:{port}"
    finally:
        tansu.stop(5)


@pytest.fixture(scope="session")
def embedded_stack(
    embedded_kafka: str, embedded_db: str, tmp_path_factory: pytest.TempPathFactory
) -> EmbeddedStack:
    return EmbeddedStack(embedded_kafka, embedded_db, tmp_path_factory.mktemp("embedded"))


@pytest.fixture(scope="session")
def token_keys() -> tuple[str, str]:
    """(private, public) keys of the user token for this test session."""
    return generate_keypair()


def user_headers(private_key: str, **claims: Any) -> dict[str, str]:
    """Headers that make a request come from the user described by ``claims``."""
    return {HEADER: sign(User(**claims), private_key)}


@pytest.fixture
def service_env(
    embedded_stack: EmbeddedStack, token_keys: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Environment pointing a service at the session's stack with a database of its own."""
    env = {
        "HTK_KAFKA_BOOTSTRAP_SERVERS": embedded_stack.kafka_bootstrap_servers,
        "HTK_MONGO_URI": embedded_stack.mongo_uri,
        "HTK_MONGO_DATABASE": f"test_{uuid.uuid4().hex[:12]}",
        "HTK_SHUTDOWN_GRACE_SECONDS": "3",
        "HTK_KAFKA_GROUP_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "HTK_TOKEN_PUBLIC_KEY": token_keys[1],
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


class SpanRecorder(SpanProcessor):
    """Keeps finished spans in memory while a test that asked for them runs."""

    def __init__(self) -> None:
        self.active = False
        self.finished: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        if self.active:
            self.finished.append(span)

    def trace(self, trace_id: int) -> list[ReadableSpan]:
        return [s for s in self.finished if s.context and s.context.trace_id == trace_id]


@pytest.fixture(scope="session")
def _span_recorder() -> SpanRecorder:
    configure_tracing("tests")
    provider = trace.get_tracer_provider()
    if not isinstance(provider, SdkTracerProvider):
        pytest.skip("tracing is off (OTEL_SDK_DISABLED)")
    recorder = SpanRecorder()
    provider.add_span_processor(recorder)
    return recorder


@pytest.fixture
def spans(_span_recorder: SpanRecorder) -> Iterator[SpanRecorder]:
    """Every span finished in this process during the test (all services in it share them)."""
    _span_recorder.finished.clear()
    _span_recorder.active = True
    try:
        yield _span_recorder
    finally:
        _span_recorder.active = False
        _span_recorder.finished.clear()


@asynccontextmanager
async def running(app: FastAPI, base_url: str = "http://test") -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan and give an HTTP client that talks to it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """Serve an app over a real socket (httpx's ASGI transport buffers whole responses, so
    streams and client addresses need one); yields its base URL. Uvicorn's own reading of
    X-Forwarded-For is off, as where the services run (the gateway decides whom to trust)."""
    import uvicorn

    port = free_port("127.0.0.1")
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: asyncio.sleep(0, server.started))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 20.0, interval: float = 0.05
) -> T:
    """Poll ``probe`` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s; last value: {last!r}")


@dataclass(frozen=True)
class BrokerTier:
    """Where a consumer test's events travel: ``memory`` (FastStream's ``TestKafkaBroker``,
    no process, milliseconds) or ``tansu`` (the session's embedded broker, real consumer groups,
    offsets and rebalances). A case written once against this runs on both, the way FastStream's
    own tests run one case on its test client and on a real broker."""

    name: str
    settings_env: dict[str, str]

    @asynccontextmanager
    async def started(self, broker: Any) -> AsyncIterator[Any]:
        """Start ``broker`` on this tier; yields the broker to publish through."""
        if self.name == "memory":
            from faststream.kafka import TestKafkaBroker

            async with TestKafkaBroker(broker) as test_broker:
                yield test_broker
            return
        await broker.start()
        try:
            yield broker
        finally:
            await broker.stop()

    @asynccontextmanager
    async def around_service(self, broker: Any) -> AsyncIterator[Any]:
        """Around a service whose lifespan starts ``broker`` itself: yields what to publish its
        events through. In memory that is the service's own broker, patched so that publishing
        hands each message to its subscribers; on tansu a producer of its own."""
        if self.name == "memory":
            from faststream.kafka import TestKafkaBroker

            async with TestKafkaBroker(broker) as test_broker:
                yield test_broker
            return
        from faststream.kafka import KafkaBroker

        async with KafkaBroker(self.settings_env["HTK_KAFKA_BOOTSTRAP_SERVERS"]) as producer:
            await producer.start()
            yield producer


@pytest.fixture(
    params=[
        pytest.param("memory", marks=pytest.mark.memory),
        pytest.param("tansu", marks=pytest.mark.embedded),
    ]
)
def broker_tier(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> BrokerTier:
    """Run the test once in memory and once on the embedded broker. The memory tier starts no
    process (``make test-fast`` selects it with ``-m memory``); the tansu tier asks for
    ``service_env`` only when it runs, so the broker and database start only for it."""
    if request.param == "tansu":
        return BrokerTier("tansu", request.getfixturevalue("service_env"))
    env = {"HTK_KAFKA_GROUP_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return BrokerTier("memory", env)


@pytest.fixture
def tier_service_env(
    broker_tier: BrokerTier,
    request: pytest.FixtureRequest,
    token_keys: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    """``service_env`` for the tier: on tansu the session's broker and database; in memory the
    database only (a projection keeps its versions there), with no broker process started."""
    if broker_tier.name == "tansu":
        return broker_tier.settings_env
    env = {
        **broker_tier.settings_env,
        "HTK_MONGO_URI": request.getfixturevalue("embedded_db"),
        "HTK_MONGO_DATABASE": f"test_{uuid.uuid4().hex[:12]}",
        "HTK_SHUTDOWN_GRACE_SECONDS": "3",
        "HTK_TOKEN_PUBLIC_KEY": token_keys[1],
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
