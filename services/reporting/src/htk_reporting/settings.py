from htk_runtime.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    port: int = 8004
    mongo_database: str = "htk_reporting"
