"""Integration events this service publishes on ``submissions.actions.v1``."""

from datetime import datetime
from functools import partial
from typing import Any

from htk_contracts import actions as contract
from htk_contracts import partnerships
from htk_contracts.envelope import Envelope, event_envelope

SOURCE = "/submissions"


_envelope = partial(event_envelope, SOURCE)


def drafted(action_id: str, version: int, organisation_id: str, at: datetime) -> Envelope[Any]:
    data = contract.ActionDrafted(action_id=action_id, organisation_id=organisation_id, at=at)
    return _envelope(contract.ACTION_DRAFTED, action_id, version, data)


def submitted(action_id: str, version: int, organisation_id: str, at: datetime) -> Envelope[Any]:
    data = contract.ActionSubmitted(action_id=action_id, organisation_id=organisation_id, at=at)
    return _envelope(contract.ACTION_SUBMITTED, action_id, version, data)


def returned(action_id: str, version: int, organisation_id: str, at: datetime) -> Envelope[Any]:
    data = contract.ActionReturned(action_id=action_id, organisation_id=organisation_id, at=at)
    return _envelope(contract.ACTION_RETURNED, action_id, version, data)


def published(action: contract.PublicAction, first: bool) -> Envelope[Any]:
    if first:
        return _envelope(
            contract.ACTION_PUBLISHED,
            action.action_id,
            action.version,
            contract.ActionPublished(action=action),
        )
    return _envelope(
        contract.ACTION_UPDATED,
        action.action_id,
        action.version,
        contract.ActionUpdated(action=action),
    )


def withdrawn(action_id: str, version: int, organisation_id: str, at: datetime) -> Envelope[Any]:
    data = contract.ActionWithdrawn(action_id=action_id, organisation_id=organisation_id, at=at)
    return _envelope(contract.ACTION_WITHDRAWN, action_id, version, data)


# Partnerships go on ``submissions.partnerships.v1``: they ask for someone's decision or tell
# its outcome; the public change an approval makes is announced above as ``updated``.


def partnership_requested(
    doc: dict[str, Any], partner_id: str, requested_by: str, at: datetime
) -> Envelope[Any]:
    data = partnerships.PartnershipRequested(
        action_id=doc["_id"],
        title=_public_title(doc),
        owner_organisation_id=doc["organisation_id"],
        partner_organisation_id=partner_id,
        requested_by=requested_by,
        at=at,
    )
    return _envelope(partnerships.PARTNERSHIP_REQUESTED, doc["_id"], doc["version"], data)


def partnership_decided(
    doc: dict[str, Any], partner_id: str, request: dict[str, Any], at: datetime
) -> Envelope[Any]:
    data = partnerships.PartnershipDecided(
        action_id=doc["_id"],
        title=_public_title(doc),
        owner_organisation_id=doc["organisation_id"],
        partner_organisation_id=partner_id,
        requested_by=request["requested_by"],
        decision=request["status"],
        decided_by=request["decided_by"],
        at=at,
    )
    return _envelope(partnerships.PARTNERSHIP_DECIDED, doc["_id"], doc["version"], data)


def _public_title(doc: dict[str, Any]) -> str:
    # Only the public title travels: the working copy may hold an unpublished rewrite.
    public = doc.get("public") or {}
    return str(public.get("title") or doc["content"]["title"])
