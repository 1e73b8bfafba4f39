from pathlib import Path

from htk_runtime.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    service_name: str = "catalogue"
    port: int = 8001
    mongo_database: str = "htk_catalogue"
    # Reference data (geography) and the plan file loaded at start.
    catalogue_data_dir: Path = Path("data")
    catalogue_plan_file: Path = Path("data/plan/example-plan.csv")
