"""The envelopes of ``community.practices.v1``: public state, no member."""

from typing import Any

from htk_contracts import community_news as contract
from htk_contracts.envelope import Envelope, new_envelope

SOURCE = "/community"


def shared(doc: dict[str, Any]) -> Envelope[Any]:
    data = contract.PracticeShared(
        experience_id=doc["_id"],
        action_id=doc["action_id"],
        organisation_id=doc["organisation_id"],
        language=doc["language"],
        what_worked=doc["what_worked"],
        what_did_not=doc["what_did_not"],
        for_whom=doc["for_whom"],
        shared_at=doc["shared_at"],
    )
    return new_envelope(
        source=SOURCE,
        type=contract.PRACTICE_SHARED,
        subject=doc["_id"],
        aggregateversion=1,
        data=data.model_dump(mode="json"),
    )


def highlighted(doc: dict[str, Any]) -> Envelope[Any]:
    data = contract.PracticeHighlighted(
        action_id=doc["_id"], highlighted=doc["highlighted"], reason=doc["reason"], at=doc["at"]
    )
    return new_envelope(
        source=SOURCE,
        type=contract.PRACTICE_HIGHLIGHTED,
        subject=doc["_id"],
        aggregateversion=doc["version"],
        data=data.model_dump(mode="json"),
    )
