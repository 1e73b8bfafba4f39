"""Keeps the index equal to the published actions, and the catalogue read copies current.

Action events apply only when newer than the version the ledger holds, so replays and duplicates
change nothing. A withdrawn action leaves a tombstone with its version in the read copy, so a late
"published" of an older version cannot bring it back.
"""

import asyncio
from typing import Any

from htk_contracts.actions import (
    ActionDrafted,
    ActionReturned,
    ActionSubmitted,
    ActionWithdrawn,
    PublicAction,
)
from htk_contracts.community_news import PRACTICE_HIGHLIGHTED, PracticeHighlighted
from htk_contracts.envelope import Envelope
from htk_runtime.consumer import action_event, organisation_event, plan_event
from htk_runtime.plan_codes import changed_codes
from htk_runtime.versions import VersionLedger
from htk_search.backends.base import Progress
from htk_search.engine import SearchEngine
from htk_search.store import ReadCopies


class ActionProjection:
    def __init__(self, engine: SearchEngine, store: ReadCopies, ledger: VersionLedger) -> None:
        self.engine = engine
        self.store = store
        self.ledger = ledger
        # One change at a time; a rebuild holds it so no event slips between its read and switch.
        self.lock = asyncio.Lock()

    async def apply(self, envelope: Envelope[dict[str, Any]]) -> None:
        event = action_event(envelope)
        if isinstance(event, ActionDrafted | ActionSubmitted | ActionReturned):
            return  # not public: nothing to index
        async with self.lock:
            if not await self.ledger.is_newer(envelope.subject, envelope.aggregateversion):
                return
            if isinstance(event, ActionWithdrawn):
                await self.store.remove_action(event.action_id, envelope.aggregateversion)
                await self.engine.backend.delete(event.action_id)
            else:
                await self.store.put_action(event.action)
                await self.engine.backend.upsert(self.engine.document(event.action))
            # Recorded after the index changed: a crash in between re-applies the same version,
            # which replaces the document with itself.
            await self.ledger.record(envelope.subject, envelope.aggregateversion)

    async def reindex_actions(self, actions: list[PublicAction]) -> None:
        """Re-project actions whose denormalised data (organisation names, types) changed."""
        async with self.lock:
            for action in actions:
                current = await self.store.get_action(action.action_id)
                if current is not None:
                    await self.engine.backend.upsert(self.engine.document(current))

    async def rebuild(self, progress: Progress | None = None) -> int:
        async with self.lock:
            return await self.engine.rebuild(self.store.public_actions(), progress)


class CatalogueProjection:
    def __init__(self, engine: SearchEngine, store: ReadCopies, actions: ActionProjection) -> None:
        self.engine = engine
        self.store = store
        self.actions = actions

    async def load(self) -> None:
        self.engine.organisations = await self.store.all_organisations()
        self.engine.plan = await self.store.get_plan()

    async def apply_organisation(self, envelope: Envelope[dict[str, Any]]) -> None:
        organisation = organisation_event(envelope)
        if not await self.store.put_organisation(organisation, envelope.aggregateversion):
            return
        self.engine.organisations[organisation.organisation_id] = organisation
        await self.actions.reindex_actions(
            await self.store.actions_of(organisation.organisation_id)
        )

    async def apply_plan(self, envelope: Envelope[dict[str, Any]]) -> None:
        plan = plan_event(envelope)
        old = self.engine.plan
        if await self.store.put_plan(plan):
            self.engine.plan = plan
            # Merged and retired codes move the actions that name them, in the facets as in
            # coverage; only those actions are indexed again.
            moved = changed_codes(old, plan)
            if moved:
                await self.actions.reindex_actions(await self.store.actions_naming(moved))


class PracticeProjection:
    """Marks the actions the coordinators highlight as good practices (community.practices.v1
    ``highlighted``, key and version per action). Shared experiences are not indexed here."""

    def __init__(self, engine: SearchEngine, store: ReadCopies, actions: ActionProjection) -> None:
        self.engine = engine
        self.store = store
        self.actions = actions

    async def load(self) -> None:
        self.engine.good_practices = await self.store.good_practices()

    async def apply(self, envelope: Envelope[dict[str, Any]]) -> None:
        if envelope.type != PRACTICE_HIGHLIGHTED:
            return
        event = PracticeHighlighted.model_validate(envelope.data)
        stored = await self.store.put_highlight(
            event.action_id, envelope.aggregateversion, event.highlighted
        )
        if not stored:
            return  # a replay or an older highlight
        if event.highlighted:
            self.engine.good_practices.add(event.action_id)
        else:
            self.engine.good_practices.discard(event.action_id)
        action = await self.store.get_action(event.action_id)
        if action is not None:
            await self.actions.reindex_actions([action])
