"""Organisations in MongoDB; every change commits with its event.

Likely duplicates are caught when an organisation is proposed: the same Business ID, or the same
name once case, spacing, punctuation and legal suffixes (ry, oy, ...) are set aside. Each live
organisation (proposed or approved) holds its keys in ``organisation_keys``, so two proposals
racing with the same Business ID cannot both be stored.
"""

from typing import Any
from uuid import uuid4

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from htk_catalogue.events import organisation_changed
from htk_catalogue.member_store import MemberStore
from htk_catalogue.organisation_schemas import OrganisationFields, OrganisationInput
from htk_catalogue.text import name_key
from htk_catalogue.transactions import Writer, now, save
from htk_contracts.catalogue import (
    MembershipRole,
    MembershipStatus,
    Organisation,
    OrganisationStatus,
)
from htk_contracts.catalogue_requests import MembershipDecision, OrganisationDecision
from htk_contracts.envelope import Envelope
from htk_runtime.errors import DomainError
from htk_runtime.geography import Geography
from htk_runtime.keyset import paged

# Lists run by name; the id breaks ties between equal names so a cursor is exact.
ORGANISATION_ORDER = (("name_key", 1), ("_id", 1))

ORGANISATIONS = "organisations"
ORGANISATION_KEYS = "organisation_keys"
LIVE = (OrganisationStatus.PROPOSED.value, OrganisationStatus.APPROVED.value)
CONTRACT_FIELDS = ("name_fi", "name_sv", "type", "business_id", "municipality", "county", "website")


def to_contract(doc: dict[str, Any]) -> Organisation:
    return Organisation.model_validate(
        {
            "organisation_id": doc["_id"],
            "status": doc["status"],
            **{f: doc.get(f) for f in CONTRACT_FIELDS},
        }
    )


def event_of(doc: dict[str, Any]) -> Envelope[Any]:
    return organisation_changed(to_contract(doc), doc["version"])


def place_errors(
    geography: Geography, fields: dict[str, Any], prefix: str = ""
) -> list[dict[str, str]]:
    """Unknown municipality or county codes, and a municipality outside the county given."""
    errors = []
    municipality, county = fields.get("municipality"), fields.get("county")
    if municipality and municipality not in geography.municipalities:
        errors.append(
            {
                "field": f"{prefix}municipality",
                "message": f"{municipality} is not a municipality code valid in 2026",
            }
        )
    if county and county not in geography.counties:
        errors.append(
            {
                "field": f"{prefix}county",
                "message": f"{county} is not a wellbeing services county code",
            }
        )
    if not errors and municipality and county:
        actual = geography.municipalities[municipality].county_code
        if actual != county:
            errors.append(
                {
                    "field": f"{prefix}county",
                    "message": f"municipality {municipality} is in county {actual}, not {county}",
                }
            )
    return errors


def _keys(fields: dict[str, Any]) -> list[tuple[str, str]]:
    keys = [("name_fi", f"name:{name_key(fields['name_fi'])}")]
    if fields.get("business_id"):
        keys.append(("business_id", f"business_id:{fields['business_id']}"))
    return keys


class OrganisationStore:
    def __init__(self, writer: Writer, members: MemberStore, geography: Geography) -> None:
        self.writer = writer
        self.members = members
        self.geography = geography
        self.organisations = writer.db[ORGANISATIONS]
        self.keys = writer.db[ORGANISATION_KEYS]

    async def create_indexes(self) -> None:
        await self.organisations.create_index([("status", 1), ("name_key", 1)])
        await self.organisations.create_index("name_key")

    async def get(self, organisation_id: str) -> dict[str, Any] | None:
        return await self.organisations.find_one({"_id": organisation_id})

    async def require(self, organisation_id: str) -> dict[str, Any]:
        doc = await self.get(organisation_id)
        if doc is None:
            raise DomainError(404, f"No organisation {organisation_id}", field="organisation_id")
        return doc

    async def page(
        self, status: OrganisationStatus | None, limit: int, position: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """Up to ``limit + 1`` organisations after ``position``, by name (the extra one tells
        ``page_of`` there is a next page)."""
        query = {"status": status.value} if status else {}
        return (
            await self.organisations.find(paged(query, position, ORGANISATION_ORDER))
            .sort(list(ORGANISATION_ORDER))
            .limit(limit + 1)
            .to_list()
        )

    async def all(self) -> list[dict[str, Any]]:
        return await self.organisations.find({}).to_list()

    def check(self, fields: dict[str, Any], prefix: str = "") -> None:
        errors = place_errors(self.geography, fields, prefix)
        if errors:
            raise DomainError(422, errors[0]["message"], errors=errors)

    async def refuse_duplicates(
        self, fields: dict[str, Any], prefix: str = "", exclude: str | None = None
    ) -> None:
        """409 naming the organisation that already holds this Business ID or name, with its
        id and status, so a form can offer to join it (a pending proposal can be joined)."""
        for field, key in _keys(fields):
            held = await self.keys.find_one({"_id": key})
            if held and held["organisation_id"] != exclude:
                existing = await self.get(held["organisation_id"]) or {}
                name = existing.get("name_fi") or held["organisation_id"]
                what = "Business ID" if field == "business_id" else "name"
                message = (
                    f"An organisation with this {what} already exists: {name} "
                    f"(id {held['organisation_id']}); ask to join it instead"
                )
                raise DomainError(
                    409,
                    message,
                    errors=[
                        {
                            "field": f"{prefix}{field}",
                            "message": message,
                            "type": "duplicate",
                            "organisation_id": held["organisation_id"],
                            "organisation_name": name,
                            "organisation_status": existing.get("status", ""),
                        }
                    ],
                )

    # The building blocks below run inside the caller's transaction.

    async def _hold_keys(self, session: AsyncClientSession, doc: dict[str, Any]) -> None:
        for field, key in _keys(doc):
            try:
                await self.keys.insert_one(
                    {"_id": key, "organisation_id": doc["_id"]}, session=session
                )
            except DuplicateKeyError as exc:
                raise DomainError(
                    409, "An organisation with these details was just registered", field=field
                ) from exc

    async def _release_keys(self, session: AsyncClientSession, doc: dict[str, Any]) -> None:
        await self.keys.delete_many({"organisation_id": doc["_id"]}, session=session)

    async def store(self, session: AsyncClientSession, doc: dict[str, Any]) -> dict[str, Any]:
        read_version = doc["version"]
        doc = {**doc, "version": read_version + 1, "updated_at": now()}
        await save(self.organisations, session, doc, read_version)
        await self.writer.outbox.add(
            session, topic=self.writer.topics.organisations, envelope=event_of(doc)
        )
        return doc

    async def insert(
        self,
        session: AsyncClientSession,
        data: OrganisationInput,
        status: OrganisationStatus,
        by: str | None,
    ) -> dict[str, Any]:
        fields = data.model_dump(mode="json")
        doc = {
            "_id": str(uuid4()),
            "version": 0,
            **fields,
            "name_key": name_key(fields["name_fi"]),
            "status": status.value,
            "proposed_by": by,
            "created_at": now(),
        }
        await self._hold_keys(session, doc)
        return await self.store(session, doc)

    # Changes, each its own transaction.

    async def create(self, data: OrganisationInput, by: str) -> dict[str, Any]:
        """A coordinator adds an organisation: approved at once."""
        fields = data.model_dump(mode="json")
        self.check(fields)
        await self.refuse_duplicates(fields)

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            return await self.insert(session, data, OrganisationStatus.APPROVED, by)

        return await self.writer.transaction(work)

    async def update(self, organisation_id: str, update: OrganisationFields) -> dict[str, Any]:
        changes = update.model_dump(exclude_unset=True, mode="json")
        if changes.get("name_fi", "") is None or changes.get("type", "") is None:
            field = "name_fi" if changes.get("name_fi", "") is None else "type"
            raise DomainError(422, f"{field} cannot be cleared", field=field)

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.organisations.find_one({"_id": organisation_id}, session=session)
            if doc is None:
                raise DomainError(
                    404, f"No organisation {organisation_id}", field="organisation_id"
                )
            merged = {
                **doc,
                **changes,
                "name_key": name_key(changes.get("name_fi", doc["name_fi"])),
            }
            self.check(merged)
            if doc["status"] in LIVE:
                await self.refuse_duplicates(merged, exclude=organisation_id)
                await self._release_keys(session, doc)
                await self._hold_keys(session, merged)
            return await self.store(session, merged)

        return await self.writer.transaction(work)

    async def decide(
        self,
        organisation_id: str,
        status: OrganisationStatus,
        by: str,
        reason: str = "",
        expired: bool = False,
    ) -> dict[str, Any]:
        """Approve or reject a proposal. Its proposer becomes its admin, or is refused; a
        rejection also refuses everyone who asked to join the proposal. ``expired``: the
        proposer never confirmed their address (see expiry.py)."""
        if status == OrganisationStatus.PROPOSED:
            raise DomainError(422, "decide approved or rejected", field="status")

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            doc = await self.organisations.find_one({"_id": organisation_id}, session=session)
            if doc is None:
                raise DomainError(
                    404, f"No organisation {organisation_id}", field="organisation_id"
                )
            if doc["status"] != OrganisationStatus.PROPOSED:
                raise DomainError(
                    409, f"{doc['name_fi']} is already {doc['status']}", field="status"
                )
            if status == OrganisationStatus.REJECTED:
                await self._release_keys(session, doc)
            decided = await self.store(
                session,
                {
                    **doc,
                    "status": status.value,
                    "decided_by": by,
                    "decided_at": now(),
                    "reason": reason,
                },
            )
            proposer = None
            if doc.get("proposed_by"):
                proposer = await self._decide_proposer(
                    session, doc["proposed_by"], organisation_id, status, by
                )
            if status == OrganisationStatus.REJECTED:
                await self._refuse_requests(session, organisation_id, by)
            decision = (
                OrganisationDecision.EXPIRED if expired else OrganisationDecision(status.value)
            )
            await self.members.notices.organisation(
                session, decided, proposer, decision, by, reason
            )
            return decided

        return await self.writer.transaction(work)

    async def _decide_proposer(
        self,
        session: AsyncClientSession,
        member_id: str,
        organisation_id: str,
        status: OrganisationStatus,
        by: str,
    ) -> dict[str, Any] | None:
        member = await self.members.members.find_one({"_id": member_id}, session=session)
        if member is None or member.get("erased"):
            return None
        memberships = []
        for m in member["memberships"]:
            if m["organisation_id"] == organisation_id and m["status"] == MembershipStatus.PENDING:
                approved = status == OrganisationStatus.APPROVED
                m = {
                    **m,
                    "role": MembershipRole.ADMIN.value,
                    "status": (
                        MembershipStatus.APPROVED if approved else MembershipStatus.REJECTED
                    ).value,
                    "decided_by": by,
                    "decided_at": now(),
                }
            memberships.append(m)
        if memberships != member["memberships"]:
            return await self.members.store(session, {**member, "memberships": memberships})
        return member

    async def _refuse_requests(
        self, session: AsyncClientSession, organisation_id: str, by: str
    ) -> None:
        """Those who asked to join a rejected proposal are refused (and told) with it."""
        waiting = {
            "organisation_id": organisation_id,
            "status": MembershipStatus.PENDING.value,
        }
        for member in await self.members.members.find(
            {"memberships": {"$elemMatch": waiting}, "erased": False}, session=session
        ).to_list():
            memberships = [
                {
                    **m,
                    "status": MembershipStatus.REJECTED.value,
                    "decided_by": by,
                    "decided_at": now(),
                }
                if m["organisation_id"] == organisation_id
                and m["status"] == MembershipStatus.PENDING
                else m
                for m in member["memberships"]
            ]
            stored = await self.members.store(session, {**member, "memberships": memberships})
            if stored.get("confirmed", True):
                await self.members.notices.membership(
                    session,
                    stored,
                    organisation_id,
                    MembershipDecision.REJECTED,
                    MembershipRole.MEMBER.value,
                    by,
                )
