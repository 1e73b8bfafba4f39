"""Keeps the index equal to the published actions, and the catalogue read copies current.

Action events apply only when newer than the version the ledger holds, so replays and duplicates
change nothing. A withdrawn action leaves a tombstone with its version in the read copy, so a late
"published" of an older version cannot bring it back.

Every document the index gets is stored too (``index_documents``), in the same step under the
same lock, so a rebuild replays the stored documents; only when the form of the documents
changed (another analysis, other dictionaries or places) does it analyse every action again.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
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
from htk_runtime.bulk import collector_paused, read_ahead
from htk_runtime.consumer import action_event, organisation_event, plan_event
from htk_runtime.plan_codes import changed_codes
from htk_runtime.versions import VersionLedger
from htk_search.backends.base import Progress
from htk_search.documents import IndexDocument, decode_document, encode_document
from htk_search.engine import SearchEngine
from htk_search.store import ReadCopies

log = logging.getLogger(__name__)


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
                await self.store.remove_document(event.action_id)
                await self.engine.backend.delete(event.action_id)
            else:
                await self.store.put_action(event.action)
                await self._index(event.action)
            # Recorded after the index changed: a crash in between re-applies the same version,
            # which replaces the document with itself.
            await self.ledger.record(envelope.subject, envelope.aggregateversion)

    async def reindex_actions(self, actions: list[PublicAction]) -> None:
        """Re-project actions whose denormalised data (organisation names, types) changed."""
        async with self.lock:
            for action in actions:
                current = await self.store.get_action(action.action_id)
                if current is not None:
                    await self._index(current)

    async def _index(self, action: PublicAction) -> None:
        # The stored document first: if the index then fails, the event is applied again, and a
        # rebuild meanwhile would replay the newer document, never an older one.
        doc = await self._store(self.engine.document(action))
        await self.engine.backend.upsert(doc)

    async def _store(self, doc: IndexDocument) -> IndexDocument:
        await self.store.put_document(doc.action_id, self.engine.form, encode_document(doc))
        return doc

    async def check_stored_documents(self) -> None:
        """At start. With no public action yet, every one (none) has its document stored: from
        here on the projection keeps them, and the first rebuild can replay them. Documents of
        another form (an upgrade that analyses differently) are named in the log: the index
        then answers with the old analysis until ``htk search reindex`` builds it again."""
        complete = await self.store.complete_form()
        if complete is None and await self.store.count_public() == 0:
            await self.store.set_complete_form(self.engine.form)
        elif complete != self.engine.form:
            log.warning(
                "the index was built with another analysis: run `htk search reindex`",
                extra={"stored_form": complete, "form": self.engine.form},
            )

    async def rebuild(self, progress: Progress | None = None) -> int:
        async with self.lock:
            if await self.store.complete_form() == self.engine.form:
                documents = self._stored_documents()
            else:
                documents = self._analysed_documents()
            with collector_paused():
                return await self.engine.backend.rebuild(documents, progress)

    async def _stored_documents(self) -> AsyncIterator[IndexDocument]:
        form = self.engine.form
        # Read on while a batch is decoded. Decoded here, not in a thread: a thread only
        # contends for the interpreter with the one that adds to the index (30,000 actions:
        # 3.05-3.07 s against 2.69-2.72 s); a batch of 500 keeps the loop's pause short.
        async for batch in read_ahead(self.store.stored_document_batches(500)):
            docs, other_form = _decode(batch, form)
            for doc in docs:
                yield doc
            for action_id in other_form:
                # Written by a service of another version (a rolling upgrade): built again.
                action = await self.store.get_action(action_id)
                if action is not None:
                    yield await self._store(self.engine.document(action))

    async def _analysed_documents(self) -> AsyncIterator[IndexDocument]:
        """Every public action analysed again, and its document stored in place of the old
        ones; the stored set is marked complete only once every action has one."""
        form = self.engine.form
        await self.store.set_complete_form(None)
        await self.store.clear_documents()
        batch: list[tuple[str, str, bytes]] = []
        # A batch is stored while the next is analysed.
        storing: asyncio.Task[None] | None = None
        try:
            # Analysing batches in a thread while the next is read was measured and dropped:
            # under load the threads only contend for the GIL (5,000 actions: 8.5-14.6 s
            # against 6.5-13.9 s in turn).
            async for action in self.store.public_actions():
                doc = self.engine.document(action)
                batch.append((action.action_id, form, encode_document(doc)))
                if len(batch) >= 1000:
                    if storing is not None:
                        await storing
                    storing = asyncio.create_task(self.store.add_documents(batch))
                    batch = []
                yield doc
        finally:
            if storing is not None:
                await storing
        await self.store.add_documents(batch)
        await self.store.set_complete_form(form)


def _decode(
    batch: list[tuple[str, str, bytes]], form: str
) -> tuple[list[IndexDocument], list[str]]:
    """The documents of ``form``, and the ids of those stored in another."""
    docs, other_form = [], []
    for action_id, stored_form, blob in batch:
        if stored_form == form:
            docs.append(decode_document(blob))
        else:
            other_form.append(action_id)
    return docs, other_form


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
