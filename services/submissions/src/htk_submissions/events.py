"""Integration events this service publishes on ``submissions.actions.v1``."""

from typing import Any

from htk_contracts.actions import ACTION_PUBLISHED, ActionPublished, PublicAction
from htk_contracts.envelope import Envelope, new_envelope

SOURCE = "/submissions"


def action_published(action: PublicAction) -> Envelope[Any]:
    return new_envelope(
        source=SOURCE,
        type=ACTION_PUBLISHED,
        subject=action.action_id,
        aggregateversion=action.version,
        data=ActionPublished(action=action).model_dump(mode="json"),
    )
