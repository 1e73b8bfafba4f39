"""Where the embedded platform listens and keeps its data (``HTK_*`` environment variables)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    ready_timeout_seconds: float = 90.0
