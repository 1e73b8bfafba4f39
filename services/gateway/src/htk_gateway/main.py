"""The gateway: ``uvicorn htk_gateway.main:app``."""

from htk_gateway.api import router as api_router
from htk_gateway.pages import router as pages_router
from htk_gateway.settings import GatewaySettings
from htk_gateway.upstream import Upstreams
from htk_runtime.service import Service, ServiceContext


def create_service(settings: GatewaySettings | None = None) -> Service:
    settings = settings or GatewaySettings()
    service = Service(
        settings,
        title="HTK platform",
        routers=[api_router, pages_router],
        use_broker=False,
        openapi_url="/api/v1/openapi.json",
    )

    @service.startup
    async def open_upstreams(ctx: ServiceContext) -> None:
        ctx.state["upstreams"] = Upstreams(
            {
                "catalogue": settings.catalogue_url,
                "submissions": settings.submissions_url,
                "search": settings.search_url,
                "reporting": settings.reporting_url,
            },
            settings.upstream_timeout_seconds,
        )

    @service.shutdown
    async def close_upstreams(ctx: ServiceContext) -> None:
        await ctx.state["upstreams"].close()

    return service


app = create_service().app()
