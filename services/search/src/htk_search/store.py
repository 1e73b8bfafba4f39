"""The search service's own read copies in MongoDB.

- ``actions``: the latest public snapshot of every published action (the replay source of a
  rebuild; tansu keeps nothing once it stops);
- ``organisations``: names and types, for facets and for matching organisation names;
- ``plan``: the latest plan version, for facet validation and measure suggestions;
- ``highlights``: whether the coordinators highlight an action as a good practice, with the
  highlight's version (community.practices.v1), so a replay or an older event changes nothing;
- ``index_documents``: every indexed action's analysed document (JSON in one field: the
  embedded database reads a document of one field five times faster than a nested one), kept
  with the index by the projection, so a rebuild need not analyse every action again;
  ``index_meta`` names the document form every public action has a stored document of;
- ``community_items``: the whole public state of every published news item and announced event
  (community.news.v1 and community.events.v1 keep 30 days), so their index can be built again.
"""

from collections.abc import AsyncIterator
from typing import Any

from bson import Binary
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from htk_contracts.actions import PublicAction
from htk_contracts.catalogue import Organisation, PlanVersion


class ReadCopies:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.actions = db["actions"]
        self.organisations = db["organisations"]
        self.plan = db["plan"]
        self.jobs = db["reindex_jobs"]
        self.highlights = db["highlights"]
        self.documents = db["index_documents"]
        self.documents_meta = db["index_meta"]
        self.community = db["community_items"]

    async def create_indexes(self) -> None:
        await self.actions.create_index([("organisation_ids", ASCENDING)])
        await self.jobs.create_index([("state", ASCENDING)])

    # --- actions ------------------------------------------------------------------------------

    @staticmethod
    def snapshot(action: PublicAction) -> dict[str, Any]:
        return {
            "version": action.version,
            "organisation_ids": [action.organisation_id, *action.partner_organisation_ids],
            "action": action.model_dump(mode="json"),
        }

    async def put_action(self, action: PublicAction) -> None:
        await self._put_versioned(
            self.actions, action.action_id, action.version, self.snapshot(action)
        )

    async def remove_action(self, action_id: str, version: int) -> None:
        # A tombstone keeps the version, so an older "published" replayed later stays ignored.
        await self._put_versioned(
            self.actions,
            action_id,
            version,
            {"version": version, "organisation_ids": [], "action": None},
        )

    async def get_action(self, action_id: str) -> PublicAction | None:
        doc = await self.actions.find_one({"_id": action_id})
        if not doc or doc.get("action") is None:
            return None
        return PublicAction.model_validate(doc["action"])

    async def public_actions(self) -> AsyncIterator[PublicAction]:
        async for doc in self.actions.find({"action": {"$ne": None}}).sort("_id", ASCENDING):
            yield PublicAction.model_validate(doc["action"])

    async def count_public(self) -> int:
        return await self.actions.count_documents({"action": {"$ne": None}})

    async def actions_of(self, organisation_id: str) -> list[PublicAction]:
        cursor = self.actions.find({"organisation_ids": organisation_id})
        return [PublicAction.model_validate(d["action"]) async for d in cursor if d.get("action")]

    async def actions_naming(self, codes: set[str]) -> list[PublicAction]:
        """Published actions that name any of ``codes`` (measure, sub-goal or priority)."""
        wanted = sorted(codes)
        cursor = self.actions.find(
            {
                "action": {"$ne": None},
                "$or": [
                    {"action.measures": {"$in": wanted}},
                    {"action.sub_goals": {"$in": wanted}},
                    {"action.priorities": {"$in": wanted}},
                ],
            }
        )
        return [PublicAction.model_validate(d["action"]) async for d in cursor]

    # --- stored index documents -----------------------------------------------------------------

    async def put_document(self, action_id: str, form: str, blob: bytes) -> None:
        await self.documents.replace_one(
            {"_id": action_id}, {"form": form, "doc": Binary(blob)}, upsert=True
        )

    async def remove_document(self, action_id: str) -> None:
        await self.documents.delete_one({"_id": action_id})

    async def stored_document_batches(
        self, size: int = 1000
    ) -> AsyncIterator[list[tuple[str, str, bytes]]]:
        """(action id, form, document) of every stored document, ``size`` at a time."""
        batch: list[tuple[str, str, bytes]] = []
        async for doc in self.documents.find({}).batch_size(size):
            batch.append((doc["_id"], doc.get("form", ""), bytes(doc["doc"])))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def clear_documents(self) -> None:
        # Dropped, not deleted one by one (SecantusDB deletes 20,000 documents in 5 s).
        await self.documents.drop()

    async def add_documents(self, documents: list[tuple[str, str, bytes]]) -> None:
        """Stores (action id, form, document) of actions that have none stored."""
        if documents:
            await self.documents.insert_many(
                [{"_id": i, "form": form, "doc": Binary(blob)} for i, form, blob in documents],
                ordered=False,
            )

    async def complete_form(self) -> str | None:
        """The form every public action has a stored document of, if any."""
        doc = await self.documents_meta.find_one({"_id": "documents"})
        return str(doc["complete_form"]) if doc and doc.get("complete_form") else None

    async def set_complete_form(self, form: str | None) -> None:
        await self.documents_meta.replace_one(
            {"_id": "documents"}, {"complete_form": form}, upsert=True
        )

    # --- news and events ----------------------------------------------------------------------

    async def put_community_item(
        self, key: str, kind: str, version: int, item: dict[str, Any]
    ) -> None:
        await self.community.replace_one(
            {"_id": key}, {"kind": kind, "version": version, "item": item}, upsert=True
        )

    async def remove_community_item(self, key: str) -> None:
        await self.community.delete_one({"_id": key})

    async def community_items(self) -> AsyncIterator[tuple[str, int, dict[str, Any]]]:
        """(kind, version, item) of every published news item and announced event."""
        async for doc in self.community.find({}):
            yield doc["kind"], doc["version"], doc["item"]

    async def has_community_items(self) -> bool:
        return await self.community.find_one({}, {"_id": 1}) is not None

    # --- good practices -----------------------------------------------------------------------

    async def put_highlight(self, action_id: str, version: int, highlighted: bool) -> bool:
        doc = {"version": version, "highlighted": highlighted}
        return await self._put_versioned(self.highlights, action_id, version, doc)

    async def good_practices(self) -> set[str]:
        return {d["_id"] async for d in self.highlights.find({"highlighted": True}, {"_id": 1})}

    # --- catalogue ----------------------------------------------------------------------------

    async def put_organisation(self, organisation: Organisation, version: int) -> bool:
        doc = {"version": version, "organisation": organisation.model_dump(mode="json")}
        return await self._put_versioned(
            self.organisations, organisation.organisation_id, version, doc
        )

    async def all_organisations(self) -> dict[str, Organisation]:
        return {
            d["_id"]: Organisation.model_validate(d["organisation"])
            async for d in self.organisations.find({})
        }

    async def put_plan(self, plan: PlanVersion) -> bool:
        doc = {"version": plan.version, "plan": plan.model_dump(mode="json")}
        return await self._put_versioned(self.plan, "plan", plan.version, doc)

    async def get_plan(self) -> PlanVersion | None:
        doc = await self.plan.find_one({"_id": "plan"})
        return PlanVersion.model_validate(doc["plan"]) if doc else None

    @staticmethod
    async def _put_versioned(collection: Any, key: str, version: int, doc: dict[str, Any]) -> bool:
        """Store ``doc`` unless a version at least as new is held; True if stored."""
        try:
            result = await collection.replace_one(
                {"_id": key, "version": {"$lt": version}}, doc, upsert=True
            )
        except DuplicateKeyError:
            return False
        return bool(result.modified_count == 1 or result.upserted_id is not None)
