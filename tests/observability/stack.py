"""The five services in this test process, on the session's broker and database.

The gateway is driven in process; the others listen on free ports, because the gateway calls them
over real HTTP (that is where trace context crosses between services). Each service gets its own
database, and all share this process's tracer provider, so one in-memory recorder sees every span.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from htk_catalogue.main import create_service as create_catalogue
from htk_catalogue.settings import CatalogueSettings
from htk_contracts.catalogue import Names, Organisation, PlanNode, PlanVersion
from htk_contracts.envelope import Envelope, new_envelope
from htk_gateway.main import create_service as create_gateway
from htk_gateway.settings import GatewaySettings
from htk_reporting.main import create_service as create_reporting
from htk_reporting.settings import ReportingSettings
from htk_runtime.processes import free_port
from htk_runtime.service import Service
from htk_search.main import create_service as create_search
from htk_search.settings import SearchSettings
from htk_submissions.main import create_service as create_submissions
from htk_submissions.settings import SubmissionsSettings
from htk_testing.runtime import EmbeddedStack, eventually, running

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
ORGANISATION = "org-trace"
# Newer than any plan other tests may have left on the session's catalogue topic.
PLAN_VERSION = 1_000_000


@dataclass
class Platform:
    gateway: httpx.AsyncClient
    services: dict[str, Service]
    urls: dict[str, str] = field(default_factory=dict)

    async def metrics(self, name: str) -> str:
        if name == "gateway":
            response = await self.gateway.get("/metrics")
        else:
            async with httpx.AsyncClient(base_url=self.urls[name]) as client:
                response = await client.get("/metrics")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return response.text


@asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[str]:
    config = uvicorn.Config(app, host=HOST, port=port, lifespan="on", log_config=None)
    server = uvicorn.Server(config)
    # uvicorn would take over Ctrl-C from pytest.
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: _done(server.started or task.done()), timeout=30)
        if task.done():
            task.result()
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        await task


async def _done(value: bool) -> bool:
    return value


@asynccontextmanager
async def platform(
    stack: EmbeddedStack, token_keys: tuple[str, str], workdir: Path
) -> AsyncIterator[Platform]:
    run = uuid.uuid4().hex[:8]
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": stack.kafka_bootstrap_servers,
        "kafka_group_prefix": f"obs-{run}",
        "mongo_uri": stack.mongo_uri,
        "token_public_key": token_keys[1],
        "shutdown_grace_seconds": 3,
    }
    ports = {name: free_port(HOST) for name in ("catalogue", "submissions", "search", "reporting")}
    urls = {name: f"http://{HOST}:{port}" for name, port in ports.items()}

    def db(name: str) -> str:
        return f"obs_{name}_{run}"

    services = {
        "catalogue": create_catalogue(
            CatalogueSettings(
                **common,
                mongo_database=db("catalogue"),
                catalogue_data_dir=REPO / "data",
                catalogue_plan_file=REPO / "data/plan/example-plan.csv",
            )
        ),
        "submissions": create_submissions(
            SubmissionsSettings(
                **common,
                mongo_database=db("submissions"),
                submissions_data_dir=REPO / "data",
                search_url=urls["search"],
                mail_dir=workdir / "mail",
            )
        ),
        "search": create_search(
            SearchSettings(
                **common,
                mongo_database=db("search"),
                search_index_dir=workdir / "search",
            )
        ),
        "reporting": create_reporting(
            ReportingSettings(
                **common, mongo_database=db("reporting"), reporting_data_dir=REPO / "data"
            )
        ),
    }
    gateway = create_gateway(
        GatewaySettings(
            **common,
            mongo_database=db("gateway"),
            catalogue_url=urls["catalogue"],
            submissions_url=urls["submissions"],
            search_url=urls["search"],
            reporting_url=urls["reporting"],
            token_private_key=token_keys[0],
            dev_open_writes=True,
            mail_dir=workdir / "gateway-mail",
        )
    )
    async with AsyncExitStack() as exit_stack:
        for name, service in services.items():
            await exit_stack.enter_async_context(serving(service.app(), ports[name]))
        client = await exit_stack.enter_async_context(running(gateway.app()))
        await seed_read_copies(services["submissions"], services["reporting"])
        for name in ("submissions", "search", "reporting"):
            connected = services[name].ctx().broker_connected
            await eventually(lambda c=connected: _done(c.is_set()), timeout=30)
        yield Platform(client, {**services, "gateway": gateway}, urls)


async def seed_read_copies(submissions: Service, reporting: Service) -> None:
    """The plan and the organisation, as submissions and reporting would have them from the
    catalogue (which publishes nothing in this process)."""

    def event(subject: str, data: Any) -> Envelope[dict[str, Any]]:
        made = new_envelope(
            source="/catalogue",
            type="fi.htk.test.changed.v1",
            subject=subject,
            aggregateversion=PLAN_VERSION,
            data=data.model_dump(mode="json"),
        )
        return Envelope[dict[str, Any]].model_validate(made.model_dump())

    nodes = [
        PlanNode(code=code, level=level, name=Names(fi=code, sv=code, en=code), example=True)
        for code, level in (("1", "priority"), ("1.1", "sub_goal"), ("1.1.1", "measure"))
    ]
    plan = PlanVersion(
        version=PLAN_VERSION, created_at=datetime.now(UTC), change="test", example=True, nodes=nodes
    )
    organisation = Organisation(
        organisation_id=ORGANISATION, name_fi="Kyläyhdistys", type="ngo", status="approved"
    )
    copies = submissions.ctx().state["copies"]
    await copies.apply_plan(event("plan", plan))
    await copies.apply_organisation(event(ORGANISATION, organisation))
    projection = reporting.ctx().state["projection"]
    await projection.apply_plan(event("plan", plan))
    await projection.apply_organisation(event(ORGANISATION, organisation))
