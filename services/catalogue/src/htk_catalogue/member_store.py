"""Members and their memberships in MongoDB; every change commits with its event.

A member is one aggregate with its memberships inside, so one event carries who they are and
where they belong. Email addresses are unique without regard to case: ``member_emails`` holds
one document per address, keyed by its case-folded form, so a race cannot register it twice.
"""

from typing import Any
from uuid import uuid4

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from htk_catalogue.events import member_changed, member_erased
from htk_catalogue.member_schemas import ProfileUpdate, Registration
from htk_catalogue.notices import Notices
from htk_catalogue.text import email_key
from htk_catalogue.transactions import Writer, now, save
from htk_contracts.catalogue import (
    MEMBER_ERASED,
    Member,
    MemberErased,
    Membership,
    MembershipRole,
    MembershipStatus,
    OrganisationStatus,
)
from htk_contracts.catalogue_requests import MembershipDecision
from htk_contracts.envelope import Envelope
from htk_runtime.errors import DomainError
from htk_runtime.keyset import paged

MEMBERS = "members"
MEMBER_EMAILS = "member_emails"
ORGANISATIONS = "organisations"
# Lists run by email address (the id breaks ties, so a cursor is exact), or by id.
MEMBER_ORDER = (("email_key", 1), ("_id", 1))
BY_ID = (("_id", 1),)


def to_contract(doc: dict[str, Any]) -> Member:
    return Member(
        member_id=doc["_id"],
        name=doc["name"],
        email=doc["email"],
        language=doc["language"],
        coordinator=doc["coordinator"],
        memberships=[
            Membership(organisation_id=m["organisation_id"], role=m["role"], status=m["status"])
            for m in doc["memberships"]
        ],
    )


def event_of(doc: dict[str, Any]) -> Envelope[Any]:
    if doc.get("erased"):
        erased = MemberErased(member_id=doc["_id"], erased_at=doc["erased_at"])
        return member_erased(erased, doc["version"])
    return member_changed(to_contract(doc), doc["version"])


def claims_of(doc: dict[str, Any]) -> dict[str, Any]:
    """What the gateway signs into a user token: approved memberships only."""
    return {
        "member_id": doc["_id"],
        "language": doc["language"],
        "coordinator": doc["coordinator"],
        "organisations": {
            m["organisation_id"]: m["role"]
            for m in doc["memberships"]
            if m["status"] == MembershipStatus.APPROVED
        },
    }


def email_taken() -> DomainError:
    return DomainError(409, "This email address is already registered", field="email")


class MemberStore:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.members = writer.db[MEMBERS]
        self.emails = writer.db[MEMBER_EMAILS]
        self.organisations = writer.db[ORGANISATIONS]
        self.notices = Notices(writer)

    async def create_indexes(self) -> None:
        await self.members.create_index("memberships.organisation_id")
        await self.members.create_index("memberships.status")
        await self.members.create_index([("confirmed", 1), ("created_at", 1)])
        await self.members.create_index("email_key")
        await self.members.create_index("erased")
        await self.writer.outbox.collection.create_index([("key", 1), ("topic", 1)])

    async def get(self, member_id: str) -> dict[str, Any] | None:
        doc = await self.members.find_one({"_id": member_id})
        return doc if doc and not doc.get("erased") else None

    async def require(self, member_id: str) -> dict[str, Any]:
        doc = await self.get(member_id)
        if doc is None:
            raise DomainError(404, f"No member {member_id}", field="member_id")
        return doc

    async def by_email(self, email: str) -> dict[str, Any] | None:
        key = await self.emails.find_one({"_id": email_key(email)})
        return await self.get(key["member_id"]) if key else None

    async def of_organisation(
        self,
        organisation_id: str,
        status: MembershipStatus | None = None,
        limit: int | None = None,
        position: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Members with a membership (of ``status``) in the organisation, by id; with ``limit``,
        up to ``limit + 1`` after ``position`` (the extra one tells there is a next page)."""
        match: dict[str, Any] = {"organisation_id": organisation_id}
        if status is not None:
            match["status"] = status.value
        query = {"memberships": {"$elemMatch": match}, "erased": False}
        found = self.members.find(paged(query, position, BY_ID)).sort(list(BY_ID))
        if limit is not None:
            found = found.limit(limit + 1)
        return await found.to_list()

    async def page(self, limit: int, position: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Up to ``limit + 1`` members (not erased) after ``position``, by email address."""
        return (
            await self.members.find(paged({"erased": False}, position, MEMBER_ORDER))
            .sort(list(MEMBER_ORDER))
            .limit(limit + 1)
            .to_list()
        )

    async def all(self) -> list[dict[str, Any]]:
        return await self.members.find({}).to_list()

    # The building blocks below run inside the caller's transaction.

    async def load(self, session: AsyncClientSession, member_id: str) -> dict[str, Any]:
        doc = await self.members.find_one({"_id": member_id}, session=session)
        if doc is None or doc.get("erased"):
            raise DomainError(404, f"No member {member_id}", field="member_id")
        return doc

    async def store(self, session: AsyncClientSession, doc: dict[str, Any]) -> dict[str, Any]:
        read_version = doc["version"]
        doc = {**doc, "version": read_version + 1, "updated_at": now()}
        await save(self.members, session, doc, read_version)
        await self.writer.outbox.add(
            session, topic=self.writer.topics.members, envelope=event_of(doc)
        )
        return doc

    async def claim_email(self, session: AsyncClientSession, email: str, member_id: str) -> None:
        try:
            await self.emails.insert_one(
                {"_id": email_key(email), "member_id": member_id}, session=session
            )
        except DuplicateKeyError as exc:
            raise email_taken() from exc

    async def new_member(
        self,
        session: AsyncClientSession,
        registration: Registration,
        memberships: list[dict[str, Any]],
        member_id: str | None = None,
        confirmed: bool = True,
    ) -> dict[str, Any]:
        """A new member; ``confirmed=False`` for someone who has not yet followed the link
        mailed to them: their registration lapses unless they do (see expiry.py)."""
        member_id = member_id or str(uuid4())
        await self.claim_email(session, registration.email, member_id)
        created = now()
        doc = {
            "_id": member_id,
            "version": 0,
            "erased": False,
            "name": registration.name,
            "email": registration.email,
            "email_key": email_key(registration.email),
            "language": registration.language.value,
            "coordinator": False,
            "memberships": memberships,
            "created_at": created,
            "confirmed": confirmed,
        }
        return await self.store(session, doc)

    async def joinable_organisation(
        self, session: AsyncClientSession, organisation_id: str
    ) -> None:
        """Approved, or proposed and waiting: someone whose colleague proposed it first may
        join the proposal instead of proposing a duplicate."""
        org = await self.organisations.find_one({"_id": organisation_id}, session=session)
        if org is None or org["status"] not in (
            OrganisationStatus.APPROVED,
            OrganisationStatus.PROPOSED,
        ):
            raise DomainError(
                422,
                f"{organisation_id} is not an organisation one can join",
                field="organisation_id",
            )

    # Changes, each its own transaction.

    async def request_membership(self, member_id: str, organisation_id: str) -> dict[str, Any]:
        async def work(session: AsyncClientSession) -> dict[str, Any]:
            await self.joinable_organisation(session, organisation_id)
            doc = await self.load(session, member_id)
            existing = _membership(doc, organisation_id)
            if existing and existing["status"] != MembershipStatus.REJECTED:
                raise DomainError(
                    409,
                    f"You already have a {existing['status']} membership in {organisation_id}",
                    field="organisation_id",
                )
            memberships = [m for m in doc["memberships"] if m["organisation_id"] != organisation_id]
            membership = pending_membership(organisation_id, MembershipRole.MEMBER)
            memberships.append(membership)
            stored = await self.store(session, {**doc, "memberships": memberships})
            if stored.get("confirmed", True):
                await self.notices.requested(session, stored, membership)
            return stored

        return await self.writer.transaction(work)

    async def decide_membership(
        self, organisation_id: str, member_id: str, approve: bool, role: MembershipRole, by: str
    ) -> dict[str, Any]:
        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.load(session, member_id)
            existing = _membership(doc, organisation_id)
            if existing is None or existing["status"] != MembershipStatus.PENDING:
                raise DomainError(
                    409,
                    f"{member_id} has no pending request to join {organisation_id}",
                    field="member_id",
                )
            if approve:
                org = await self.organisations.find_one({"_id": organisation_id}, session=session)
                if org is None or org["status"] != OrganisationStatus.APPROVED:
                    raise DomainError(
                        409,
                        "Approve the organisation first; its members are decided after it",
                        field="organisation_id",
                    )
            decided = {
                **existing,
                "status": (
                    MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
                ).value,
                "role": role.value,
                "decided_by": by,
                "decided_at": now(),
            }
            stored = await self.store(session, _with_membership(doc, decided))
            decision = MembershipDecision.APPROVED if approve else MembershipDecision.REJECTED
            await self.notices.membership(
                session, stored, organisation_id, decision, role.value, by
            )
            return stored

        return await self.writer.transaction(work)

    async def _approved_membership(
        self, session: AsyncClientSession, organisation_id: str, member_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        doc = await self.load(session, member_id)
        existing = _membership(doc, organisation_id)
        if existing is None or existing["status"] != MembershipStatus.APPROVED:
            raise DomainError(
                404, f"{member_id} is not a member of {organisation_id}", field="member_id"
            )
        return doc, existing

    async def _keep_an_admin(
        self, session: AsyncClientSession, organisation_id: str, member_id: str
    ) -> None:
        """An organisation that had an admin keeps one: otherwise requests to join it would
        wait for the coordinators, and nobody could edit its profile."""
        admins = await self.notices.admins_of(session, organisation_id)
        if admins == [member_id]:
            raise DomainError(
                409,
                "The organisation would be left without an admin; make someone else admin first",
                field="member_id",
            )

    async def set_role(
        self, organisation_id: str, member_id: str, role: MembershipRole, by: str = ""
    ) -> dict[str, Any]:
        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc, existing = await self._approved_membership(session, organisation_id, member_id)
            if existing["role"] == role.value:
                return doc
            if role == MembershipRole.MEMBER:
                await self._keep_an_admin(session, organisation_id, member_id)
            stored = await self.store(
                session, _with_membership(doc, {**existing, "role": role.value})
            )
            await self.notices.membership(
                session, stored, organisation_id, MembershipDecision.ROLE_CHANGED, role.value, by
            )
            return stored

        return await self.writer.transaction(work)

    async def remove_membership(self, organisation_id: str, member_id: str, by: str) -> None:
        """Take an approved member out of the organisation; they may ask to join again."""

        async def work(session: AsyncClientSession) -> None:
            doc, existing = await self._approved_membership(session, organisation_id, member_id)
            await self._keep_an_admin(session, organisation_id, member_id)
            others = [m for m in doc["memberships"] if m["organisation_id"] != organisation_id]
            stored = await self.store(session, {**doc, "memberships": others})
            await self.notices.membership(
                session,
                stored,
                organisation_id,
                MembershipDecision.REMOVED,
                existing["role"],
                by,
            )

        await self.writer.transaction(work)

    async def confirm(self, member_id: str) -> dict[str, Any]:
        """The person followed a link mailed to them: their registration stays, and whoever
        decides on their requests is told now. Repeating it changes nothing."""

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.load(session, member_id)
            if doc.get("confirmed", True):
                return doc
            stored = await self.store(session, {**doc, "confirmed": True, "confirmed_at": now()})
            for membership in stored["memberships"]:
                if membership["status"] == MembershipStatus.PENDING:
                    await self.notices.requested(session, stored, membership)
            return stored

        return await self.writer.transaction(work)

    async def pending(self) -> list[dict[str, Any]]:
        """Every member with a request waiting, oldest registration first."""
        return (
            await self.members.find(
                {"memberships.status": MembershipStatus.PENDING.value, "erased": False}
            )
            .sort("created_at", 1)
            .to_list()
        )

    async def set_coordinator(self, member_id: str, coordinator: bool) -> dict[str, Any]:
        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.load(session, member_id)
            return await self.store(session, {**doc, "coordinator": coordinator})

        return await self.writer.transaction(work)

    async def update_profile(self, member_id: str, update: ProfileUpdate) -> dict[str, Any]:
        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.load(session, member_id)
            changes = update.model_dump(exclude_unset=True, exclude_none=True, mode="json")
            if "email" in changes and email_key(changes["email"]) != doc["email_key"]:
                await self.claim_email(session, changes["email"], member_id)
                await self.emails.delete_one({"_id": doc["email_key"]}, session=session)
                changes["email_key"] = email_key(changes["email"])
            return await self.store(session, {**doc, **changes})

        return await self.writer.transaction(work)

    async def erase(self, member_id: str) -> dict[str, Any]:
        """Remove the member's personal data here and, through the event, in every read copy.

        What stays is a tombstone with the id and version, so the erasure event can be replayed
        and late events about the member are recognised as older. Earlier events about the
        member still waiting in, or sent from, the outbox carry the name and email: they go too.
        """

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.load(session, member_id)
            await self.emails.delete_one({"_id": doc["email_key"]}, session=session)
            tombstone = {
                "_id": member_id,
                "version": doc["version"],
                "erased": True,
                "erased_at": now(),
            }
            return await self.store(session, tombstone)

        erased = await self.writer.transaction(work)
        await self.scrub_outbox([member_id])
        return erased

    async def scrub_outbox(self, member_ids: list[str]) -> None:
        """Delete the erased members' earlier events from the outbox, sent or not.

        Outside the erasure's transaction: deleting outbox documents inside it can deadlock
        with the relay marking the same documents sent. An unsent one deleted here is
        superseded by the erasure event anyway. Run again at start, in case a crash came
        between the erasure and this.
        """
        await self.writer.outbox.collection.delete_many(
            {
                "key": {"$in": member_ids},
                "topic": {"$in": [self.writer.topics.members, self.writer.topics.requests]},
                "event.type": {"$ne": MEMBER_ERASED},
            }
        )

    async def scrub_erased(self) -> None:
        erased = await self.members.find({"erased": True}, {"_id": 1}).to_list()
        if erased:
            await self.scrub_outbox([doc["_id"] for doc in erased])


def pending_membership(organisation_id: str, role: MembershipRole) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "role": role.value,
        "status": MembershipStatus.PENDING.value,
        "requested_at": now(),
    }


def _membership(doc: dict[str, Any], organisation_id: str) -> dict[str, Any] | None:
    return next((m for m in doc["memberships"] if m["organisation_id"] == organisation_id), None)


def _with_membership(doc: dict[str, Any], membership: dict[str, Any]) -> dict[str, Any]:
    others = [
        m for m in doc["memberships"] if m["organisation_id"] != membership["organisation_id"]
    ]
    return {**doc, "memberships": [*others, membership]}
