"""Integration events of discussions, on ``community.discussion.v1`` (through the outbox)."""

from typing import Any

from pydantic import BaseModel

from htk_contracts import community as contract
from htk_contracts.envelope import Envelope, new_envelope
from htk_contracts.topics import Topic

SOURCE = "/community"
TOPIC = Topic.COMMUNITY_DISCUSSION

TYPES: dict[type[BaseModel], str] = {
    contract.MessagePosted: contract.MESSAGE_POSTED,
    contract.MessageEdited: contract.MESSAGE_EDITED,
    contract.MessageRemoved: contract.MESSAGE_REMOVED,
    contract.MessageReported: contract.MESSAGE_REPORTED,
    contract.TopicChanged: contract.TOPIC_CHANGED,
}


def envelope(subject: str, version: int, data: BaseModel) -> Envelope[Any]:
    return new_envelope(
        source=SOURCE,
        type=TYPES[type(data)],
        subject=subject,
        aggregateversion=version,
        data=data.model_dump(mode="json"),
    )
