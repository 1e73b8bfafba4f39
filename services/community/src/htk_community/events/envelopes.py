"""The envelopes of ``community.events.v1``: the event's whole public state, without the
member who announced it."""

from typing import Any

from htk_contracts import community_news as contract
from htk_contracts.envelope import Envelope, new_envelope

SOURCE = "/community"
TYPES = {
    "announced": contract.EVENT_ANNOUNCED,
    "updated": contract.EVENT_UPDATED,
    "cancelled": contract.EVENT_CANCELLED,
}
PUBLIC_FIELDS = tuple(
    f for f in contract.CommunityEvent.model_fields if f not in ("kind", "event_id")
)


def event_event(kind: str, doc: dict[str, Any]) -> Envelope[Any]:
    data = contract.CommunityEvent(
        kind=kind,  # type: ignore[arg-type]
        event_id=doc["_id"],
        **{f: doc[f] for f in PUBLIC_FIELDS if f in doc},
    )
    return new_envelope(
        source=SOURCE,
        type=TYPES[kind],
        subject=doc["_id"],
        aggregateversion=doc["version"],
        data=data.model_dump(mode="json"),
    )
