"""MongoDB client factory (pymongo's AsyncMongoClient) and writes spanning collections."""

from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient, InsertOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import ClientBulkWriteException, DuplicateKeyError, OperationFailure

from htk_runtime.settings import ServiceSettings

# MongoDB 8.0 (wire version 25) added the bulkWrite command that writes to several collections.
_BULK_WRITE_WIRE_VERSION = 25
_DUPLICATE_KEY = 11000


def make_mongo_client(settings: ServiceSettings) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        settings.mongo_uri,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        appname=settings.service_name,
    )


async def writes_across_collections(client: AsyncMongoClient[Any]) -> bool:
    """Whether the server takes inserts into several collections in one command (MongoDB 8+)."""
    hello = await client.admin.command("hello")
    return int(hello.get("maxWireVersion", 0)) >= _BULK_WRITE_WIRE_VERSION


async def insert_together(
    session: AsyncClientSession,
    inserts: Sequence[tuple[AsyncCollection[Any], dict[str, Any]]],
    *,
    one_command: bool,
) -> None:
    """Insert each document into its collection, in order, in the session's transaction.

    With ``one_command`` (see :func:`writes_across_collections`) all go to the server in one
    round trip instead of one each: a statement's fixed cost is most of a small insert's cost.
    A duplicate key raises :class:`DuplicateKeyError` either way.
    """
    if not one_command:
        for collection, document in inserts:
            await collection.insert_one(document, session=session)
        return
    client = session.client
    try:
        await client.bulk_write(
            [InsertOne(d, namespace=c.full_name) for c, d in inserts], session=session
        )
    except ClientBulkWriteException as exc:
        # The details hold each write error as the server's document.
        errors: list[dict[str, Any]] = exc.details.get("writeErrors") or []
        for error in errors:
            if error.get("code") == _DUPLICATE_KEY:
                raise DuplicateKeyError(
                    error.get("errmsg", "duplicate key"), _DUPLICATE_KEY, error
                ) from exc
        raise


_INDEX_OPTIONS_CONFLICT = (85, 86)  # IndexOptionsConflict, IndexKeySpecsConflict


async def ensure_ttl_index(collection: AsyncCollection[Any], field: str, seconds: int) -> None:
    """Documents are deleted by the database ``seconds`` after the date in ``field`` (documents
    where it is missing or not a date, such as an unsent outbox entry, stay).

    MongoDB's TTL monitor (and SecantusDB's sweeper) runs every 60 s. An index on ``field``
    created before without expiry, or with another one, is changed in place (``collMod``): a
    second index on the same key would be refused.
    """
    try:
        await collection.create_index(field, expireAfterSeconds=seconds)
    except OperationFailure as exc:
        if exc.code not in _INDEX_OPTIONS_CONFLICT:
            raise
        await collection.database.command(
            "collMod",
            collection.name,
            index={"keyPattern": {field: 1}, "expireAfterSeconds": seconds},
        )
