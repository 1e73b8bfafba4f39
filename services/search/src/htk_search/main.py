"""The search service: ``uvicorn htk_search.main:app``."""

from typing import Any

from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_runtime.consumer import subscribe
from htk_runtime.service import Service, ServiceContext
from htk_runtime.versions import VersionLedger

from htk_search.api import router
from htk_search.backends.base import SearchBackend
from htk_search.projection import ActionProjection
from htk_search.settings import SearchSettings


def open_backend(settings: SearchSettings) -> SearchBackend:
    if settings.search_backend == "elasticsearch":
        raise NotImplementedError("the Elasticsearch backend arrives with the search issue")
    from htk_search.backends.tantivy_backend import TantivyBackend

    return TantivyBackend(settings.search_index_dir)


def create_service(settings: SearchSettings | None = None) -> Service:
    settings = settings or SearchSettings()
    service = Service(settings, title="HTK search", routers=[router])

    @service.startup
    async def open_index(ctx: ServiceContext) -> None:
        backend = open_backend(settings)
        ctx.state["backend"] = backend
        ctx.state["projection"] = ActionProjection(
            backend, VersionLedger(ctx.db["applied_versions"])
        )

    @service.shutdown
    async def close_index(ctx: ServiceContext) -> None:
        await ctx.state["backend"].close()

    assert service.broker is not None

    async def on_action_event(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["projection"].apply(envelope)

    subscribe(service.broker, settings, Topic.SUBMISSIONS_ACTIONS, on_action_event)
    return service


app = create_service().app()
