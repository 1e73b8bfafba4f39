from pathlib import Path

from htk_runtime.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    service_name: str = "catalogue"
    port: int = 8001
    mongo_database: str = "htk_catalogue"
    # Reference data: geography/*.csv under this directory.
    catalogue_data_dir: Path = Path("data")
    # Imported as plan version 1 when the database holds no plan yet, so a fresh platform has a
    # plan to work with. Later plans come through `htk plan import` or the API.
    catalogue_plan_file: Path | None = Path("data/plan/example-plan.csv")
    # Re-emit the current state of every aggregate at start: the embedded broker keeps nothing
    # across restarts, and consumers ignore what they already hold.
    catalogue_replay_on_start: bool = True
    # Prepended to the catalogue topic names; empty in production. Tests give each catalogue its
    # own topics so consumers reading from the beginning see only that catalogue's events.
    catalogue_topic_prefix: str = ""
    # A registration whose address was never confirmed (the mailed link never followed) is
    # erased after this long, and the organisation it proposed lapses: no squatting of
    # addresses or organisation names. Checked every `catalogue_expiry_interval_seconds`.
    catalogue_registration_ttl_hours: float = 7 * 24
    catalogue_expiry_interval_seconds: float = 3600
