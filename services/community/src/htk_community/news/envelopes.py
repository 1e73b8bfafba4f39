"""The envelopes of ``community.news.v1``: the item's whole public state, without its authors."""

from typing import Any

from htk_contracts import community_news as contract
from htk_contracts.envelope import Envelope, new_envelope

SOURCE = "/community"
TYPES = {
    "published": contract.NEWS_PUBLISHED,
    "updated": contract.NEWS_UPDATED,
    "withdrawn": contract.NEWS_WITHDRAWN,
}


def news_event(kind: str, doc: dict[str, Any]) -> Envelope[Any]:
    data = contract.NewsItem(
        kind=kind,  # type: ignore[arg-type]
        news_id=doc["_id"],
        texts=doc["texts"],
        sub_goals=doc["sub_goals"],
        state=doc["state"],
        published_at=doc["published_at"],
        updated_at=doc["updated_at"],
    )
    return new_envelope(
        source=SOURCE,
        type=TYPES[kind],
        subject=doc["_id"],
        aggregateversion=doc["version"],
        data=data.model_dump(mode="json"),
    )
