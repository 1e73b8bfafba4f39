"""The search service: ``uvicorn htk_search.main:app``."""

from typing import Any

from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_runtime.consumer import consume
from htk_runtime.service import Service, ServiceContext
from htk_runtime.versions import VersionLedger
from htk_search.analysis import analyser
from htk_search.api import router
from htk_search.backends.base import SearchBackend
from htk_search.community import CommunitySearch
from htk_search.engine import SearchEngine
from htk_search.geography import load_geography
from htk_search.projection import ActionProjection, CatalogueProjection, PracticeProjection
from htk_search.reindex import job_worker, queue_job
from htk_search.settings import SearchSettings
from htk_search.store import ReadCopies


async def open_backend(settings: SearchSettings, part: str = "") -> SearchBackend:
    """The actions' index, or with ``part`` an index of its own beside it (news and events)."""
    if settings.search_backend == "elasticsearch":
        from htk_search.backends.elasticsearch_backend import ElasticsearchBackend

        alias = f"{settings.elasticsearch_index}-{part}" if part else settings.elasticsearch_index
        return await ElasticsearchBackend.open(settings.elasticsearch_url, alias)
    from htk_search.backends.tantivy_backend import TantivyBackend

    root = settings.search_index_dir
    # Beside the actions' directory, never in it: that one holds only the actions' generations.
    return TantivyBackend(root.with_name(f"{root.name}-{part}") if part else root)


def index_name(settings: SearchSettings) -> str:
    """Which actions' index this service serves: its directory, or its Elasticsearch alias."""
    if settings.search_backend == "elasticsearch":
        return f"elasticsearch:{settings.elasticsearch_index}"
    return f"tantivy:{settings.search_index_dir.resolve()}"


def create_service(settings: SearchSettings | None = None) -> Service:
    settings = settings or SearchSettings()
    service = Service(
        settings, title="HTK search", routers=[router], use_broker=settings.search_consume_events
    )

    @service.startup
    async def open_index(ctx: ServiceContext) -> None:
        store = ReadCopies(ctx.db)
        await store.create_indexes()
        engine = SearchEngine(
            await open_backend(settings), analyser(), load_geography(settings.search_data_dir)
        )
        projection = ActionProjection(engine, store, VersionLedger(ctx.db["applied_versions"]))
        catalogue = CatalogueProjection(engine, store, projection)
        await catalogue.load()
        await projection.check_stored_documents()
        index = index_name(settings)
        if getattr(engine.backend, "stale", False) or (
            await engine.backend.count() == 0 and await store.count_public() > 0
        ):
            # An index of an older schema was set aside, or the index was lost with its volume:
            # refill it from the read copies (this index's: not another process's).
            await queue_job(store, index)
        practices = PracticeProjection(engine, store, projection)
        await practices.load()
        community = CommunitySearch(
            await open_backend(settings, "community"),
            engine.analyser,
            VersionLedger(ctx.db["community_versions"]),
            store,
        )
        await community.restore()
        ctx.state.update(
            index=index,
            community=community,
            store=store,
            engine=engine,
            projection=projection,
            catalogue=catalogue,
            practices=practices,
        )

    @service.shutdown
    async def close_index(ctx: ServiceContext) -> None:
        await ctx.state["engine"].backend.close()
        await ctx.state["community"].backend.close()

    service.worker(job_worker)

    if service.broker is None:
        return service

    async def on_action_event(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["projection"].apply(envelope)

    async def on_organisation_event(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["catalogue"].apply_organisation(envelope)

    async def on_plan_event(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["catalogue"].apply_plan(envelope)

    async def on_practice_event(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["practices"].apply(envelope)

    async def on_community_event(envelope: Envelope[dict[str, Any]]) -> None:
        await service.ctx().state["community"].apply(envelope)

    # One consumer for every topic: one group join, no rebalancing between topics.
    consume(
        service.broker,
        settings,
        {
            Topic.SUBMISSIONS_ACTIONS: on_action_event,
            Topic.CATALOGUE_ORGANISATIONS: on_organisation_event,
            Topic.CATALOGUE_PLAN: on_plan_event,
            Topic.COMMUNITY_PRACTICES: on_practice_event,
            Topic.COMMUNITY_NEWS: on_community_event,
            Topic.COMMUNITY_EVENTS: on_community_event,
        },
    )
    return service


app = create_service().app()
