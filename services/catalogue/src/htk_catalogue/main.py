"""The catalogue service: ``uvicorn htk_catalogue.main:app``."""

from htk_runtime.service import Service, ServiceContext

from htk_catalogue.api import router
from htk_catalogue.geography import load_geography
from htk_catalogue.plan import load_plan
from htk_catalogue.settings import CatalogueSettings


def create_service(settings: CatalogueSettings | None = None) -> Service:
    settings = settings or CatalogueSettings()
    service = Service(settings, title="HTK catalogue", routers=[router])

    @service.startup
    async def load_reference_data(ctx: ServiceContext) -> None:
        ctx.state["geography"] = load_geography(settings.catalogue_data_dir / "geography")
        ctx.state["plan"] = load_plan(settings.catalogue_plan_file)

    return service


app = create_service().app()
