"""Actions in MongoDB. Every change writes the action, its history entry and its event in one
transaction, so the event exists exactly when the change does."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from htk_contracts.actions import PublicAction
from htk_contracts.topics import Topic
from htk_runtime.auth import User
from htk_runtime.errors import DomainError
from htk_runtime.keyset import paged
from htk_runtime.mongo import ensure_ttl_index, insert_together
from htk_runtime.outbox import Outbox
from htk_submissions import events
from htk_submissions.domain import ActionContent, public_snapshot
from htk_submissions.workflow import Status, Step, after, check

Mutation = Callable[[AsyncClientSession, dict[str, Any], datetime], Awaitable[None]]

# Statuses in which saving the content unchanged is a no-op (see ActionStore.edit).
UNCHANGED_SAVE_KEEPS = frozenset(
    {Status.DRAFT.value, Status.RETURNED.value, Status.PUBLISHED.value}
)

ACTIONS = "actions"
VERSIONS = "action_versions"
IDEMPOTENCY = "idempotency_keys"
REMINDER_OPTOUTS = "reminder_optouts"
# Lists page by a unique key: actions by id, an action's versions by number.
BY_ID = (("_id", ASCENDING),)
BY_VERSION = (("version", ASCENDING),)
# Retention (deploy/README.md): a retried create is answered from its key for a day; clients
# retry within minutes.
IDEMPOTENCY_RETENTION = timedelta(days=1)


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[ACTIONS].create_index([("organisation_id", ASCENDING), ("_id", ASCENDING)])
    await db[ACTIONS].create_index([("status", ASCENDING), ("_id", ASCENDING)])
    await db[ACTIONS].create_index([("import_key", ASCENDING)], sparse=True, unique=True)
    await db[ACTIONS].create_index([("confirmed_at", ASCENDING)])
    await db[ACTIONS].create_index([("pending_partners", ASCENDING)], sparse=True)
    await db[VERSIONS].create_index([("action_id", ASCENDING), ("version", ASCENDING)])
    await ensure_ttl_index(db[IDEMPOTENCY], "at", int(IDEMPOTENCY_RETENTION.total_seconds()))


def history_entry(
    doc: dict[str, Any], step: str, by: str, at: datetime, comment: str | None = None
) -> dict[str, Any]:
    return {
        "_id": f"{doc['_id']}:{doc['version']}",
        "action_id": doc["_id"],
        "version": doc["version"],
        "status": doc["status"],
        "step": step,
        "content": doc["content"],
        "by": by,
        "at": at,
        "comment": comment,
    }


def request_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Created:
    document: dict[str, Any]
    replayed: bool


class ActionStore:
    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        outbox: Outbox,
        *,
        review_required: bool,
        writes_in_one_command: bool = False,
    ) -> None:
        self.db = db
        # A new action's documents go to the database in one round trip where it can (MongoDB
        # 8); SecantusDB spends most of a small insert on the statement itself.
        self.writes_in_one_command = writes_in_one_command
        self.actions = db[ACTIONS]
        self.versions = db[VERSIONS]
        self.idempotency = db[IDEMPOTENCY]
        self.outbox = outbox
        self.review_required = review_required

    async def _transaction(self, write: Any) -> Any:
        async with self.db.client.start_session() as session:
            result = await session.with_transaction(write)
        self.outbox.notify()
        return result

    async def _history(
        self,
        session: AsyncClientSession,
        doc: dict[str, Any],
        step: str,
        by: str,
        at: datetime,
        comment: str | None = None,
    ) -> None:
        await self.versions.insert_one(history_entry(doc, step, by, at, comment), session=session)

    async def create(
        self,
        user: User,
        content: ActionContent,
        *,
        idempotency_key: str | None = None,
        import_key: str | None = None,
        publish_as_plan_version: int | None = None,
    ) -> Created:
        """A new draft, or, for a coordinator's import, an action published at once."""
        now = datetime.now(UTC)
        action_id = str(uuid4())
        payload = content.model_dump(mode="json")
        key_id = f"{user.member_id}:{idempotency_key}" if idempotency_key else None
        digest = request_hash(payload)
        doc: dict[str, Any] = {
            "_id": action_id,
            "version": 1,
            "status": Status.DRAFT.value,
            "organisation_id": content.organisation_id,
            "content": payload,
            "public": None,
            "first_published_at": None,
            "confirmed_at": None,
            "review_comment": None,
            "submitted_at": None,
            "created_by": user.member_id,
            "created_at": now,
            "updated_by": user.member_id,
            "updated_at": now,
        }
        if import_key:
            doc["import_key"] = import_key

        async def write(session: AsyncClientSession) -> None:
            inserts: list[tuple[Any, dict[str, Any]]] = []
            if key_id:
                key = {"_id": key_id, "hash": digest, "action_id": action_id, "at": now}
                inserts.append((self.idempotency, key))
            event = self.outbox.entry(
                topic=Topic.SUBMISSIONS_ACTIONS,
                envelope=events.drafted(action_id, 1, content.organisation_id, now),
            )
            inserts += [
                (self.actions, doc),
                (self.versions, history_entry(doc, "create", user.member_id, now)),
                (self.outbox.collection, event),
            ]
            await insert_together(session, inserts, one_command=self.writes_in_one_command)
            if publish_as_plan_version is not None:
                doc["version"] = 2
                await self._publish(
                    session, doc, content, publish_as_plan_version, user, now, "import"
                )
                await self.actions.replace_one({"_id": action_id}, doc, session=session)

        try:
            await self._transaction(write)
        except DuplicateKeyError:
            if import_key and (existing := await self.find_import(import_key)):
                return Created(existing, replayed=True)
            if key_id is None:
                raise
            return await self._replay(key_id, digest)
        return Created(doc, replayed=False)

    async def _replay(self, key_id: str, digest: str) -> Created:
        earlier = await self.idempotency.find_one({"_id": key_id})
        if earlier is None:  # pragma: no cover - the duplicate was not the key after all
            raise DomainError(409, "The request conflicted with another one; try again")
        if earlier["hash"] != digest:
            raise DomainError(
                422,
                "This Idempotency-Key was already used for a different action",
                field="Idempotency-Key",
            )
        document = await self.actions.find_one({"_id": earlier["action_id"]})
        assert document is not None
        return Created(document, replayed=True)

    async def get(self, action_id: str) -> dict[str, Any] | None:
        return await self.actions.find_one({"_id": action_id})

    async def find_import(self, import_key: str) -> dict[str, Any] | None:
        return await self.actions.find_one({"import_key": import_key})

    async def _load(
        self,
        session: AsyncClientSession,
        action_id: str,
        expected_version: int,
        authorise: Any,
    ) -> dict[str, Any]:
        doc = await self.actions.find_one({"_id": action_id}, session=session)
        if doc is None:
            raise DomainError(404, f"No action with id {action_id}", field="action_id")
        # Who may comes before which version: the version would tell a stranger that the
        # action exists and how often it changed.
        authorise(doc)
        if doc["version"] != expected_version:
            raise DomainError(
                412,
                f"The action has changed since you loaded it (now version {doc['version']}, "
                f"you had {expected_version}). Reload it and make your change again.",
                field="If-Match",
            )
        return doc

    async def _save(
        self, session: AsyncClientSession, doc: dict[str, Any], expected_version: int
    ) -> None:
        result = await self.actions.replace_one(
            {"_id": doc["_id"], "version": expected_version}, doc, session=session
        )
        if result.modified_count != 1:
            raise DomainError(412, "The action changed while saving; reload it", field="If-Match")

    async def _publish(
        self,
        session: AsyncClientSession,
        doc: dict[str, Any],
        content: ActionContent,
        plan_version: int,
        user: User,
        now: datetime,
        step: str,
    ) -> None:
        """Make the working copy public at the version the caller has already set."""
        first = doc["first_published_at"] is None
        doc["status"] = Status.PUBLISHED.value
        doc["first_published_at"] = doc["first_published_at"] or now
        doc["confirmed_at"] = now
        snapshot = public_snapshot(
            action_id=doc["_id"],
            version=doc["version"],
            content=content,
            plan_version=plan_version,
            published_at=doc["first_published_at"],
            updated_at=now,
            confirmed_at=now,
        )
        doc["public"] = snapshot.model_dump(mode="json")
        doc["review_comment"] = None
        doc.pop("reminders", None)
        await self._history(session, doc, step, user.member_id, now)
        await self.outbox.add(
            session, topic=Topic.SUBMISSIONS_ACTIONS, envelope=events.published(snapshot, first)
        )

    async def _change(
        self, user: User, action_id: str, expected_version: int, authorise: Any, mutate: Mutation
    ) -> dict[str, Any]:
        """Load at the expected version, check who may, apply ``mutate``, save: one transaction.

        ``mutate`` changes the document (its version included) and writes its history entry and
        events in the same session.
        """
        now = datetime.now(UTC)

        async def write(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self._load(session, action_id, expected_version, authorise)
            await mutate(session, doc, now)
            doc["updated_by"], doc["updated_at"] = user.member_id, now
            await self._save(session, doc, expected_version)
            return doc

        result: dict[str, Any] = await self._transaction(write)
        return result

    async def _republish(
        self, session: AsyncClientSession, doc: dict[str, Any], **changes: Any
    ) -> None:
        """Change the public version in place (no review needed) and announce it."""
        snapshot = PublicAction.model_validate(
            {**doc["public"], "version": doc["version"], **changes}
        )
        doc["public"] = snapshot.model_dump(mode="json")
        await self.outbox.add(
            session,
            topic=Topic.SUBMISSIONS_ACTIONS,
            envelope=events.published(snapshot, first=False),
        )

    async def edit(
        self,
        user: User,
        action_id: str,
        expected_version: int,
        content: ActionContent,
        authorise: Any,
    ) -> dict[str, Any]:
        """A new version with the content as given. Saving the content unchanged makes no new
        version (a form saved as it was must not send a published action back to review);
        a withdrawn action still becomes a draft again that way, ready to be submitted, and a
        submitted one is still refused while it waits for review."""
        payload = content.model_dump(mode="json")
        current = await self.actions.find_one({"_id": action_id})
        if (
            current is not None
            and current["content"] == payload
            and current["status"] in UNCHANGED_SAVE_KEEPS
        ):
            authorise(current)
            if current["version"] != expected_version:
                raise DomainError(
                    412,
                    "The action has changed since you loaded it; reload it",
                    field="If-Match",
                )
            return current

        async def mutate(session: AsyncClientSession, doc: dict[str, Any], now: datetime) -> None:
            if content.organisation_id != doc["organisation_id"]:
                raise DomainError(
                    422,
                    "The owning organisation of an action cannot change",
                    field="organisation_id",
                )
            status = Status(doc["status"])
            check(Step.EDIT, status, has_public_version=doc["public"] is not None)
            doc["content"] = payload
            doc["status"] = after(Step.EDIT, status, review_required=self.review_required)
            doc["version"] += 1
            await self._history(session, doc, "edit", user.member_id, now)

        return await self._change(user, action_id, expected_version, authorise, mutate)

    async def step(
        self,
        user: User,
        action_id: str,
        expected_version: int,
        step: Step,
        *,
        plan_version: int | None = None,
        comment: str | None = None,
        authorise: Any,
    ) -> dict[str, Any]:
        async def mutate(session: AsyncClientSession, doc: dict[str, Any], now: datetime) -> None:
            status = Status(doc["status"])
            check(step, status, has_public_version=doc["public"] is not None)
            new_status = after(step, status, review_required=self.review_required)
            organisation_id = doc["organisation_id"]
            if new_status == Status.PUBLISHED and step in (Step.SUBMIT, Step.PUBLISH):
                assert plan_version is not None
                if step == Step.SUBMIT:  # no review: submitted and published in one go
                    doc["version"] += 1
                    doc["status"], doc["submitted_at"] = Status.SUBMITTED.value, now
                    await self._history(session, doc, "submit", user.member_id, now)
                    await self.outbox.add(
                        session,
                        topic=Topic.SUBMISSIONS_ACTIONS,
                        envelope=events.submitted(action_id, doc["version"], organisation_id, now),
                    )
                doc["version"] += 1
                content = ActionContent.model_validate(doc["content"])
                await self._publish(session, doc, content, plan_version, user, now, "publish")
                return
            doc["version"] += 1
            doc["status"] = new_status.value
            version = doc["version"]
            await self._history(session, doc, step.value, user.member_id, now, comment)
            if step == Step.CONFIRM:
                doc["confirmed_at"] = now
                doc.pop("reminders", None)
                await self._republish(session, doc, confirmed_at=now)
                return
            if step == Step.SUBMIT:
                doc["submitted_at"] = now
                event = events.submitted(action_id, version, organisation_id, now)
            elif step == Step.RETURN:
                doc["review_comment"] = {"comment": comment, "by": user.member_id, "at": now}
                event = events.returned(action_id, version, organisation_id, now)
            elif step == Step.WITHDRAW:
                doc["public"] = None
                event = events.withdrawn(action_id, version, organisation_id, now)
            else:  # pragma: no cover - every step is handled above
                raise AssertionError(step)
            await self.outbox.add(session, topic=Topic.SUBMISSIONS_ACTIONS, envelope=event)

        return await self._change(user, action_id, expected_version, authorise, mutate)

    async def request_partnership(
        self, user: User, action_id: str, organisation_id: str
    ) -> dict[str, Any]:
        """An organisation asks to join an action as a partner; the owner decides.

        The request does not change the action's version: an editor working on the action at
        the same time must not be told it changed. Asking again while pending changes nothing.
        """
        now = datetime.now(UTC)

        async def write(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.actions.find_one({"_id": action_id}, session=session)
            if doc is None or doc["public"] is None:
                raise DomainError(
                    404, f"No published action with id {action_id}", field="action_id"
                )
            if organisation_id == doc["organisation_id"]:
                raise DomainError(
                    409, "The owner cannot be its own partner", field="organisation_id"
                )
            if organisation_id in doc["content"].get("partner_organisation_ids", []):
                raise DomainError(
                    409, "This organisation is already a partner", field="organisation_id"
                )
            earlier = doc.get("partner_requests", {}).get(organisation_id)
            if earlier and earlier["status"] == "pending":
                return doc
            request = {"status": "pending", "requested_by": user.member_id, "at": now}
            doc.setdefault("partner_requests", {})[organisation_id] = request
            pending = sorted({*doc.get("pending_partners", []), organisation_id})
            doc["pending_partners"] = pending
            await self.actions.update_one(
                {"_id": action_id},
                {
                    "$set": {
                        f"partner_requests.{organisation_id}": request,
                        "pending_partners": pending,
                    }
                },
                session=session,
            )
            await self.outbox.add(
                session,
                topic=Topic.SUBMISSIONS_PARTNERSHIPS,
                envelope=events.partnership_requested(doc, organisation_id, user.member_id, now),
            )
            return doc

        result: dict[str, Any] = await self._transaction(write)
        return result

    async def decide_partnership(
        self,
        user: User,
        action_id: str,
        expected_version: int,
        organisation_id: str,
        approve: bool,
        authorise: Any,
    ) -> dict[str, Any]:
        async def mutate(session: AsyncClientSession, doc: dict[str, Any], now: datetime) -> None:
            request = doc.get("partner_requests", {}).get(organisation_id)
            if request is None or request["status"] != "pending":
                raise DomainError(
                    409,
                    f"{organisation_id} has no pending request to join",
                    field="organisation_id",
                )
            decision = "approved" if approve else "rejected"
            request.update(status=decision, decided_by=user.member_id, decided_at=now)
            doc["pending_partners"] = [
                o for o in doc.get("pending_partners", []) if o != organisation_id
            ]
            doc["version"] += 1
            if approve:
                partners = sorted(
                    {*doc["content"].get("partner_organisation_ids", []), organisation_id}
                )
                doc["content"]["partner_organisation_ids"] = partners
                if doc["public"] is not None:
                    # Both sides agreed, so the public version changes without another review.
                    await self._republish(
                        session, doc, partner_organisation_ids=partners, updated_at=now
                    )
            await self._history(
                session, doc, f"partner-{decision}", user.member_id, now, organisation_id
            )
            await self.outbox.add(
                session,
                topic=Topic.SUBMISSIONS_PARTNERSHIPS,
                envelope=events.partnership_decided(doc, organisation_id, request, now),
            )

        return await self._change(user, action_id, expected_version, authorise, mutate)

    async def history(
        self, action_id: str, limit: int | None = None, position: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """An action's versions, oldest first; with ``limit``, up to ``limit + 1`` after
        ``position`` (the extra one tells there is a next page)."""
        query = paged({"action_id": action_id}, position, BY_VERSION)
        found = self.versions.find(query).sort(list(BY_VERSION))
        if limit is not None:
            found = found.limit(limit + 1)
        return await found.to_list()

    async def at_version(self, action_id: str, version: int) -> dict[str, Any] | None:
        return await self.versions.find_one({"_id": f"{action_id}:{version}"})

    async def page(
        self, query: dict[str, Any], position: dict[str, Any] | None, limit: int
    ) -> list[dict[str, Any]]:
        """Up to ``limit + 1`` actions matching ``query`` after ``position``, by id."""
        found = self.actions.find(paged(query, position, BY_ID))
        return await found.sort(list(BY_ID)).limit(limit + 1).to_list()


class ReminderOptOuts:
    """Members who stopped freshness reminders (by the link in a reminder mail)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.optouts = db[REMINDER_OPTOUTS]

    async def set(self, member_id: str, stopped: bool) -> None:
        if stopped:
            await self.optouts.update_one(
                {"_id": member_id}, {"$set": {"at": datetime.now(UTC)}}, upsert=True
            )
        else:
            await self.optouts.delete_one({"_id": member_id})

    async def keep(self, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``people`` without those who stopped reminders."""
        ids = [p["_id"] for p in people]
        stopped = {d["_id"] async for d in self.optouts.find({"_id": {"$in": ids}}, {"_id": 1})}
        return [p for p in people if p["_id"] not in stopped]
