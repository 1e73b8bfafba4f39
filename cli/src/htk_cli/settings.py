"""Where the embedded platform listens and keeps its data (``HTK_*`` environment variables).

Every ``htk`` command reads these, the same settings ``htk up`` starts the platform with, so an
operator command talks to the platform that runs and not to whatever holds the default ports.
"""

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from htk_runtime.embedded import mongo_uri
from htk_runtime.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

Port = Field(ge=1, le=65535)


class LauncherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HTK_", extra="ignore")

    host: str = "127.0.0.1"
    var_dir: Path = Path("var")
    data_dir: Path = Path("data")
    kafka_port: int = Field(default=9092, ge=1, le=65535)
    mongo_port: int = Field(default=27017, ge=1, le=65535)
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    catalogue_port: int = Field(default=8001, ge=1, le=65535)
    submissions_port: int = Field(default=8002, ge=1, le=65535)
    search_port: int = Field(default=8003, ge=1, le=65535)
    reporting_port: int = Field(default=8004, ge=1, le=65535)
    community_port: int = Field(default=8005, ge=1, le=65535)
    ready_timeout_seconds: float = 90.0


def service_settings(cls: type[S], **launched: Any) -> S:
    """A service's settings as ``htk up`` gives them to the service: its database and broker on
    the launcher's host and ports, and ``launched`` (other settings the launcher sets). A setting
    given in the environment (``HTK_MONGO_URI`` for a database elsewhere, say) wins."""
    launcher = LauncherSettings()
    chosen: dict[str, Any] = {
        "mongo_uri": mongo_uri(launcher.host, launcher.mongo_port),
        "kafka_bootstrap_servers": f"{launcher.host}:{launcher.kafka_port}",
        **launched,
    }
    return cls(**{k: v for k, v in chosen.items() if f"HTK_{k.upper()}" not in os.environ})
