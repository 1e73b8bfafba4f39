"""Settings read from the environment (prefix ``HTK_``).

Every address is a setting, so the same code runs on the embedded stand-ins and on real Kafka,
MongoDB and Elasticsearch. A service subclasses :class:`ServiceSettings` and sets its own defaults.
"""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProductionSettingsRefused(SystemExit):
    """A service refuses to start in production with development settings (the message says
    which settings to fix)."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HTK_", extra="ignore")

    service_name: str = "htk"
    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Consumer groups are "<prefix>-<service>"; tests give each run a prefix of its own.
    kafka_group_prefix: str = "htk"
    # Short group timeouts keep rebalances quick on one host; production raises them.
    kafka_session_timeout_ms: int = 6000
    kafka_heartbeat_interval_ms: int = 500
    # Production Kafka (Strimzi) knows each service as its own user (SCRAM-SHA-512), whose ACLs
    # allow only the topics and group it needs. Empty: no authentication (embedded, compose).
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""

    mongo_uri: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongo_database: str = "htk"

    # Ed25519 keys (base64) of the user token the gateway signs and services verify.
    # Services need only the public key; the gateway also holds the private one.
    token_public_key: str | None = None

    # Requests with a larger body are refused with 413 before they are read.
    max_body_bytes: int = 1_000_000

    # How long shutdown waits for in-flight requests and event handlers.
    shutdown_grace_seconds: float = 15.0

    def production_problems(self) -> list[str]:
        """Settings this service may not run with in production, each naming what to set."""
        problems = []
        if not self.token_public_key:
            problems.append(
                "HTK_TOKEN_PUBLIC_KEY is not set: the service could not check who calls it"
            )
        return problems

    def check_production(self) -> None:
        """In production, refuses to go on with any of :meth:`production_problems`."""
        if self.environment != "production":
            return
        if problems := self.production_problems():
            raise ProductionSettingsRefused(
                f"{self.service_name}: refusing to start with HTK_ENVIRONMENT=production: "
                + "; ".join(problems)
            )
