from pydantic import field_validator

from htk_gateway.web.client_address import trusted_networks
from htk_runtime.mail import MailSettings
from htk_runtime.settings import ServiceSettings


class GatewaySettings(ServiceSettings, MailSettings):
    service_name: str = "gateway"
    port: int = 8000
    mongo_database: str = "htk_gateway"

    catalogue_url: str = "http://127.0.0.1:8001"
    submissions_url: str = "http://127.0.0.1:8002"
    search_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    community_url: str = "http://127.0.0.1:8005"
    upstream_timeout_seconds: float = 10.0

    # The private half of the user token key (base64 Ed25519); services hold the public half.
    token_private_key: str = ""
    user_token_ttl_seconds: float = 60.0

    # Until login exists, writes through the gateway are closed unless a developer opens them.
    dev_open_writes: bool = False

    # Signs CSRF tokens; must be the same on every replica and kept secret.
    gateway_secret: str = ""
    # Where people reach the platform; login links in mails point here.
    public_url: str = "http://127.0.0.1:8000"
    session_ttl_hours: float = 12.0
    login_link_minutes: float = 15.0
    # Link requests: per IP address and per email address, in a 15-minute window.
    link_requests_per_ip: int = 20
    link_requests_per_email: int = 3
    # Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated):
    # the ingress. Empty: the connection's own address is the client's (see clients.py).
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        trusted_networks(value)  # a wrong address stops the start, naming the setting
        return value

    # Writes through the API: per member (or IP address), per minute.
    writes_per_minute: int = 60
    # Reads that recount the event log (figures at a past date): per member or IP, per minute.
    expensive_reads_per_minute: int = 20
    # Every request with one organisation's API token, per token and minute (writes count
    # against writes_per_minute too).
    api_token_requests_per_minute: int = 120

    # Follow digests: how often the worker looks, and at most one digest per member per period.
    digest_interval_seconds: float = 3600.0
    digest_period_hours: float = 24.0

    # Live streams (/api/v1/coverage/stream): one upstream subscription fanned out here. At most
    # this many open streams per client address and in all; a client that falls this many
    # events behind is sent a resync instead of the backlog.
    streams_per_address: int = 10
    streams_total: int = 1000
    stream_queue_size: int = 64
    stream_heartbeat_seconds: float = 15.0

    # Notifications: how often failed ones are retried and due digests looked for.
    notify_interval_seconds: float = 15.0
    # The daily notification digest goes out at the first round after this hour (Helsinki).
    notify_digest_hour: int = 7

    def production_problems(self) -> list[str]:
        problems = [*super().production_problems(), *self.mail_problems()]
        if self.dev_open_writes:
            problems.append("HTK_DEV_OPEN_WRITES is on: anyone could write without signing in")
        if not self.gateway_secret:
            problems.append(
                "HTK_GATEWAY_SECRET is empty: a generated one differs between replicas and "
                "restarts, breaking forms and unsubscribe links"
            )
        if not self.token_private_key:
            problems.append("HTK_TOKEN_PRIVATE_KEY is not set: no user could be signed in")
        return problems
