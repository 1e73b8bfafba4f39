from htk_runtime.settings import ServiceSettings


class SubmissionsSettings(ServiceSettings):
    service_name: str = "submissions"
    port: int = 8002
    mongo_database: str = "htk_submissions"
