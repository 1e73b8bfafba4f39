"""Keyset pages on the embedded SecantusDB: every item once, in order, even with equal names,
descending times and items added between pages; forged cursors are refused."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from htk_runtime.errors import DomainError
from htk_runtime.keyset import paged, position_of
from htk_runtime.listing import decode_cursor, encode_cursor, page_of
from htk_runtime.mongo import make_mongo_client
from htk_runtime.settings import ServiceSettings

BY_NAME = (("name", 1), ("_id", 1))
NEWEST_FIRST = (("at", -1), ("_id", -1))


@pytest.fixture
def settings(service_env: dict[str, str]) -> ServiceSettings:
    return ServiceSettings(service_name="keyset-test")


async def _all_pages(
    things: Any, key: Any, limit: int, times: tuple[str, ...] = (), add: Any = None
) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        query = paged({}, decode_cursor(cursor), key, times)
        found = await things.find(query).sort(list(key)).limit(limit + 1).to_list()
        page = page_of(found, limit, lambda d: position_of(d, key))
        seen += [d["_id"] for d in page.items]
        if add is not None and len(seen) == limit:
            await add()
        cursor = page.next_cursor
        if cursor is None:
            return seen


async def test_pages_cover_every_item_once_in_order(settings: ServiceSettings) -> None:
    mongo = make_mongo_client(settings)
    things = mongo[settings.mongo_database][f"things_{uuid.uuid4().hex[:6]}"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        await things.insert_many(
            [
                {"_id": f"t{i:02}", "name": ["a", "b", "b", "c"][i % 4], "at": start + timedelta(i)}
                for i in range(11)
            ]
        )
        by_name = await _all_pages(
            things,
            BY_NAME,
            3,
            # Sorts before the cursor: never shown later, nothing skipped or repeated.
            add=lambda: things.insert_one({"_id": "t00a", "name": "a", "at": start}),
        )
        docs = {d["_id"]: d async for d in things.find({})}
        expected = sorted((k for k in docs if k != "t00a"), key=lambda k: (docs[k]["name"], k))
        assert by_name == expected
        newest = await _all_pages(things, NEWEST_FIRST, 4, times=("at",))
        assert newest == sorted(docs, key=lambda k: (docs[k]["at"], k), reverse=True)
    finally:
        await things.drop()
        await mongo.close()


@pytest.mark.parametrize(
    "position",
    [{"name": {"$ne": None}, "_id": "x"}, {"name": "a"}, {"name": True, "_id": "x"}],
)
def test_a_forged_cursor_is_refused_naming_the_field(position: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        paged({}, decode_cursor(encode_cursor(position)), BY_NAME)
    assert refused.value.status_code == 422 and refused.value.field == "cursor"
    with pytest.raises(DomainError):
        paged({}, {"at": "not a time", "_id": "x"}, NEWEST_FIRST, times=("at",))
