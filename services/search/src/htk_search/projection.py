"""Keeps the index equal to the published actions: applies action events newer than held."""

from typing import Any

from htk_contracts.actions import ActionPublished, ActionUpdated, ActionWithdrawn
from htk_contracts.envelope import Envelope
from htk_runtime.consumer import PoisonMessage
from htk_runtime.versions import VersionLedger

from htk_search.backends.base import SearchBackend


class ActionProjection:
    def __init__(self, backend: SearchBackend, ledger: VersionLedger) -> None:
        self.backend = backend
        self.ledger = ledger

    async def apply(self, envelope: Envelope[dict[str, Any]]) -> None:
        if not await self.ledger.is_newer(envelope.subject, envelope.aggregateversion):
            return
        kind = envelope.data.get("kind")
        if kind == "published":
            await self.backend.upsert(ActionPublished.model_validate(envelope.data).action)
        elif kind == "updated":
            await self.backend.upsert(ActionUpdated.model_validate(envelope.data).action)
        elif kind == "withdrawn":
            await self.backend.delete(ActionWithdrawn.model_validate(envelope.data).action_id)
        elif kind in ("drafted", "submitted", "returned"):
            return  # not public: nothing to index, and the ledger keeps the last public version
        else:
            raise PoisonMessage(f"unknown action event kind {kind!r}")
        # Recorded after the index changed: a crash in between re-applies the same version,
        # which replaces the document with itself.
        await self.ledger.record(envelope.subject, envelope.aggregateversion)
