"""Discussion data in MongoDB: queries only (the rules are in service.py)."""

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

MESSAGES = "discussion_messages"
TOPICS = "discussion_topics"


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[MESSAGES].create_index(
        [("subject_key", ASCENDING), ("thread_id", ASCENDING), ("created_at", ASCENDING)]
    )
    await db[MESSAGES].create_index([("author_id", ASCENDING), ("created_at", DESCENDING)])
    await db[TOPICS].create_index([("created_at", DESCENDING)])


class DiscussionStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.db = db
        self.messages = db[MESSAGES]
        self.topics = db[TOPICS]
