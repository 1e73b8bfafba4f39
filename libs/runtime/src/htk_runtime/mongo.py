"""MongoDB client factory (pymongo's AsyncMongoClient)."""

from typing import Any

from pymongo import AsyncMongoClient

from htk_runtime.settings import ServiceSettings


def make_mongo_client(settings: ServiceSettings) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        settings.mongo_uri,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        appname=settings.service_name,
    )
