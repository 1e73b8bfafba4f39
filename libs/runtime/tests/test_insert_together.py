"""Inserts into several collections in one transaction, on the embedded SecantusDB."""

import uuid

import pytest
from pymongo.errors import DuplicateKeyError

from htk_runtime.mongo import insert_together, make_mongo_client, writes_across_collections
from htk_runtime.settings import ServiceSettings


@pytest.fixture
def settings(service_env: dict[str, str]) -> ServiceSettings:
    return ServiceSettings(service_name="insert-together-test")


async def test_the_embedded_database_takes_inserts_across_collections_in_one_command(
    settings: ServiceSettings,
) -> None:
    mongo = make_mongo_client(settings)
    try:
        assert await writes_across_collections(mongo)
    finally:
        await mongo.close()


@pytest.mark.parametrize("one_command", [True, False])
async def test_inserts_land_together_or_not_at_all(
    settings: ServiceSettings, one_command: bool
) -> None:
    mongo = make_mongo_client(settings)
    db = mongo[settings.mongo_database]
    a, b = db[f"a_{uuid.uuid4().hex[:6]}"], db[f"b_{uuid.uuid4().hex[:6]}"]
    try:
        async with mongo.start_session() as session:

            async def first(s: object) -> None:
                await insert_together(
                    session,
                    [(a, {"_id": 1, "x": "a"}), (b, {"_id": 1, "x": "b"})],
                    one_command=one_command,
                )

            await session.with_transaction(first)
        assert await a.find_one({"_id": 1}) == {"_id": 1, "x": "a"}
        assert await b.find_one({"_id": 1}) == {"_id": 1, "x": "b"}

        async with mongo.start_session() as session:

            async def clashing(s: object) -> None:
                # The second document clashes: the first one must not stay behind.
                await insert_together(
                    session, [(a, {"_id": 2}), (b, {"_id": 1})], one_command=one_command
                )

            with pytest.raises(DuplicateKeyError):
                await session.with_transaction(clashing)
        assert await a.find_one({"_id": 2}) is None
        assert await b.count_documents({}) == 1
    finally:
        await mongo.close()
