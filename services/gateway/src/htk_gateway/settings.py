from htk_runtime.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    port: int = 8000
    mongo_database: str = "htk_gateway"

    catalogue_url: str = "http://127.0.0.1:8001"
    submissions_url: str = "http://127.0.0.1:8002"
    search_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = 10.0

    # The private half of the user token key (base64 Ed25519); services hold the public half.
    token_private_key: str = ""
    user_token_ttl_seconds: float = 60.0

    # Until login exists, writes through the gateway are closed unless a developer opens them.
    dev_open_writes: bool = False
