"""The rules of discussions: who may read, post, edit, delete, hide and report, and what each
change tells the rest of the platform (events without names: member ids only)."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from htk_community.discussion import events
from htk_community.discussion.schemas import (
    Author,
    EditMessage,
    HideMessage,
    MessageOut,
    MessageState,
    NewMessage,
    NewTopic,
    Notice,
    ReportMessage,
    ReportOut,
    SubjectOut,
    ThreadOut,
    TopicOut,
)
from htk_community.discussion.store import DiscussionStore
from htk_community.readcopies import ReadCopies
from htk_community.settings import CommunitySettings
from htk_contracts import community as contract
from htk_contracts.community import SubjectKind
from htk_runtime.auth import User
from htk_runtime.errors import DomainError
from htk_runtime.listing import Page, decode_cursor, encode_cursor

# Markdown image syntax; messages carry no images (the renderer shows it as text anyway, but
# the author learns at once rather than seeing brackets).
IMAGE = re.compile(r"!\[[^\]]*\]\s*[\(\[]")


def subject_key(kind: SubjectKind, ref: str) -> str:
    return f"{kind.value}:{ref}"


def thread_target(thread_id: str) -> str:
    return f"thread:{thread_id}"


def _position(cursor: str | None) -> tuple[datetime, str] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return datetime.fromisoformat(str(position["at"])), str(position["id"])
    except (KeyError, ValueError) as exc:
        raise DomainError(422, "The cursor is not valid; start again", "cursor") from exc


def _naive(at: datetime) -> datetime:
    # MongoDB hands datetimes back without a zone; they are UTC.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


@dataclass
class Discussions:
    store: DiscussionStore
    copies: ReadCopies
    settings: CommunitySettings

    # --- subjects -----------------------------------------------------------------------------

    async def subject(self, kind: SubjectKind, ref: str, user: User | None) -> SubjectOut:
        """The discussed thing, if it exists and the caller may read about it."""
        if kind == SubjectKind.ACTION:
            action = await self.copies.action(ref)
            if not action or not action.get("published"):
                raise DomainError(404, f"No published action with id {ref}", field="ref")
            title = action["title"]
            found = SubjectOut(
                kind=kind,
                ref=ref,
                title={"fi": title, "sv": title, "en": title},
                members_only=False,
                open=True,
            )
        elif kind in (SubjectKind.SUB_GOAL, SubjectKind.MEASURE):
            node = await self.copies.plan_node(ref)
            if not node or node["level"] != kind.value:
                raise DomainError(
                    404, f"No {kind.value.replace('_', '-')} {ref} in the plan", "ref"
                )
            found = SubjectOut(
                kind=kind,
                ref=ref,
                title=node["name"],
                members_only=False,
                open=node["state"] == "active",
            )
        else:
            topic = await self.store.topic(ref)
            if not topic:
                raise DomainError(404, f"No topic with id {ref}", field="ref")
            found = SubjectOut(
                kind=kind,
                ref=ref,
                title={"fi": topic["title"], "sv": topic["title"], "en": topic["title"]},
                members_only=topic["members_only"],
                open=topic["open"],
            )
        if found.members_only and user is None:
            raise DomainError(401, "Sign in to read this members-only topic")
        if user is not None:
            key = subject_key(kind, ref)
            found.following = bool(await self.store.following(user.member_id, [key]))
            found.consented = await self.store.consented(user.member_id)
            found.can_post = found.open and bool(user.organisations) and not user.read_only
        return found

    # --- reading ------------------------------------------------------------------------------

    async def views(self, docs: list[dict[str, Any]], user: User | None) -> list[MessageOut]:
        members = await self.copies.members_by_id({d["author_id"] for d in docs if d["author_id"]})
        organisations = await self.copies.organisations_by_id({d["organisation_id"] for d in docs})
        now = datetime.now(UTC)
        window = timedelta(minutes=self.settings.discussion_edit_minutes)
        out = []
        for d in docs:
            member = members.get(d["author_id"] or "")
            former = bool(d.get("former_member") or (member and member.get("erased")))
            organisation = organisations.get(d["organisation_id"]) or {}
            mine = bool(user and d["author_id"] == user.member_id)
            state = MessageState(d["state"])
            shown = state == MessageState.VISIBLE or (
                state == MessageState.HIDDEN and user is not None and user.coordinator
            )
            out.append(
                MessageOut(
                    id=d["_id"],
                    thread_id=d["thread_id"],
                    subject_kind=SubjectKind(d["subject_kind"]),
                    subject_ref=d["subject_ref"],
                    author=Author(
                        name=None if former or not member else member.get("name"),
                        former_member=former,
                        organisation_id=d["organisation_id"],
                        organisation_name=organisation.get("name_fi"),
                    ),
                    body=d["body"] if shown else None,
                    state=state,
                    hidden_reason=d.get("hidden_reason"),
                    created_at=_naive(d["created_at"]),
                    edited_at=_naive(d["edited_at"]) if d.get("edited_at") else None,
                    mine=mine,
                    can_edit=mine
                    and state == MessageState.VISIBLE
                    and now - _naive(d["created_at"]) < window,
                )
            )
        return out

    async def threads(
        self, kind: SubjectKind, ref: str, user: User | None, limit: int, cursor: str | None
    ) -> Page[ThreadOut]:
        await self.subject(kind, ref, user)
        roots = await self.store.roots(subject_key(kind, ref), limit + 1, _position(cursor))
        shown = roots[:limit]
        messages = await self.views(await self.store.in_threads([r["_id"] for r in shown]), user)
        followed = (
            await self.store.following(user.member_id, [thread_target(r["_id"]) for r in shown])
            if user
            else set()
        )
        threads = [
            ThreadOut(
                thread_id=r["_id"],
                messages=[m for m in messages if m.thread_id == r["_id"]],
                following=thread_target(r["_id"]) in followed,
            )
            for r in shown
        ]
        last = shown[-1] if shown else None
        return Page[ThreadOut](
            items=threads,
            next_cursor=encode_cursor(
                {"at": _naive(last["created_at"]).isoformat(), "id": last["_id"]}
            )
            if last and len(roots) > limit
            else None,
            limit=limit,
        )

    async def message(self, message_id: str, user: User | None) -> MessageOut:
        doc = await self._message(message_id)
        await self.subject(SubjectKind(doc["subject_kind"]), doc["subject_ref"], user)
        return (await self.views([doc], user))[0]

    async def _message(self, message_id: str) -> dict[str, Any]:
        doc = await self.store.message(message_id)
        if doc is None:
            raise DomainError(404, f"No message with id {message_id}", field="message_id")
        return doc

    # --- writing ------------------------------------------------------------------------------

    def _check_body(self, body: str) -> str:
        body = body.strip()
        if not body:
            raise DomainError(422, "Write a message", field="body")
        if len(body) > self.settings.discussion_max_chars:
            raise DomainError(
                422,
                f"A message may be at most {self.settings.discussion_max_chars} characters "
                f"(this one has {len(body)})",
                field="body",
            )
        if IMAGE.search(body):
            raise DomainError(422, "Messages cannot contain images; link to them", field="body")
        return body

    def _organisation(self, user: User, chosen: str | None) -> str:
        if not user.organisations:
            raise DomainError(
                403, "Only members of an organisation can write in discussions", "organisation_id"
            )
        if chosen:
            if chosen not in user.organisations:
                raise DomainError(
                    422, "You are not a member of this organisation", field="organisation_id"
                )
            return chosen
        if len(user.organisations) > 1:
            raise DomainError(422, "Choose the organisation you write for", "organisation_id")
        return next(iter(user.organisations))

    async def _may_post(self, user: User, message: NewMessage, now: datetime) -> None:
        if not message.consent and not await self.store.consented(user.member_id):
            raise DomainError(
                422,
                "Agree to show your name and organisation with your messages",
                field="consent",
            )
        recent = await self.store.posted_since(user.member_id, now - timedelta(hours=1))
        if recent >= self.settings.discussion_posts_per_hour:
            raise DomainError(
                429,
                f"At most {self.settings.discussion_posts_per_hour} messages an hour; "
                "try again later",
                headers={"Retry-After": "600"},
            )

    async def post(
        self,
        kind: SubjectKind,
        ref: str,
        user: User,
        message: NewMessage,
        thread_id: str | None = None,
    ) -> MessageOut:
        subject = await self.subject(kind, ref, user)
        if not subject.open:
            raise DomainError(409, "This discussion is closed to new messages")
        body = self._check_body(message.body)
        organisation_id = self._organisation(user, message.organisation_id)
        now = datetime.now(UTC)
        await self._may_post(user, message, now)
        message_id = str(uuid4())
        thread = thread_id or message_id
        doc: dict[str, Any] = {
            "_id": message_id,
            "version": 1,
            "subject_kind": kind.value,
            "subject_ref": ref,
            "subject_key": subject_key(kind, ref),
            "thread_id": thread,
            "root": thread_id is None,
            "author_id": user.member_id,
            "organisation_id": organisation_id,
            "body": body,
            "state": MessageState.VISIBLE.value,
            "created_at": now,
            "edited_at": None,
        }
        event = events.envelope(
            message_id,
            1,
            contract.MessagePosted(
                message_id=message_id,
                thread_id=thread,
                subject=contract.Subject(kind=kind, ref=ref),
                author_id=user.member_id,
                organisation_id=organisation_id,
                body=body,
                members_only=subject.members_only,
                at=now,
            ),
        )

        async def write(session: Any) -> None:
            await self.store.insert_message(
                session, doc, self.store.outbox.entry(topic=events.TOPIC, envelope=event)
            )
            await self.store.record_consent(user.member_id, now, session=session)
            # Whoever writes in a thread hears of its replies (they can stop following).
            await self.store.follow(user.member_id, thread_target(thread), session)

        await self.store.transaction(write)
        return (await self.views([doc], user))[0]

    async def reply(self, thread_id: str, user: User, message: NewMessage) -> MessageOut:
        root = await self._message(thread_id)
        if not root["root"]:
            raise DomainError(422, "Reply to a thread's first message", field="thread_id")
        kind = SubjectKind(root["subject_kind"])
        return await self.post(kind, root["subject_ref"], user, message, thread_id=thread_id)

    async def _change(
        self, doc: dict[str, Any], changes: dict[str, Any], data: Any
    ) -> dict[str, Any]:
        version = doc["version"]
        event = events.envelope(doc["_id"], version + 1, data)

        async def write(session: Any) -> bool:
            entry = self.store.outbox.entry(topic=events.TOPIC, envelope=event)
            changed = await self.store.update_message(session, doc["_id"], version, changes, entry)
            if changed and changes.get("state") == MessageState.HIDDEN.value:
                await self.store.close_reports(session, doc["_id"], data.by, data.at)
            return changed

        if not await self.store.transaction(write):
            raise DomainError(409, "The message changed meanwhile; reload and try again")
        return {**doc, **changes, "version": version + 1}

    def _subject_of(self, doc: dict[str, Any]) -> contract.Subject:
        return contract.Subject(kind=SubjectKind(doc["subject_kind"]), ref=doc["subject_ref"])

    async def edit(self, message_id: str, user: User, change: EditMessage) -> MessageOut:
        doc = await self._message(message_id)
        if doc["author_id"] != user.member_id:
            raise DomainError(403, "Only its author can edit a message")
        if doc["state"] != MessageState.VISIBLE.value:
            raise DomainError(409, "This message was removed")
        now = datetime.now(UTC)
        if now - _naive(doc["created_at"]) >= timedelta(
            minutes=self.settings.discussion_edit_minutes
        ):
            raise DomainError(
                403,
                f"Messages can be edited for {self.settings.discussion_edit_minutes} minutes "
                "after posting",
                field="body",
            )
        body = self._check_body(change.body)
        data = contract.MessageEdited(
            message_id=message_id,
            thread_id=doc["thread_id"],
            subject=self._subject_of(doc),
            body=body,
            at=now,
        )
        changed = await self._change(doc, {"body": body, "edited_at": now}, data)
        return (await self.views([changed], user))[0]

    async def delete(self, message_id: str, user: User) -> MessageOut:
        doc = await self._message(message_id)
        if doc["author_id"] != user.member_id:
            raise DomainError(403, "Only its author can delete a message")
        if doc["state"] != MessageState.VISIBLE.value:
            raise DomainError(409, "This message was removed already")
        now = datetime.now(UTC)
        data = contract.MessageRemoved(
            message_id=message_id,
            thread_id=doc["thread_id"],
            subject=self._subject_of(doc),
            removal=contract.Removal.DELETED,
            by=user.member_id,
            at=now,
        )
        # The author takes their words back: the text is gone, not kept aside.
        changes = {"state": MessageState.DELETED.value, "body": None, "removed_at": now}
        return (await self.views([await self._change(doc, changes, data)], user))[0]

    async def hide(self, message_id: str, user: User, hide: HideMessage) -> MessageOut:
        doc = await self._message(message_id)
        if doc["state"] != MessageState.VISIBLE.value:
            raise DomainError(409, "This message was removed already")
        now = datetime.now(UTC)
        data = contract.MessageRemoved(
            message_id=message_id,
            thread_id=doc["thread_id"],
            subject=self._subject_of(doc),
            removal=contract.Removal.HIDDEN,
            by=user.member_id,
            at=now,
        )
        # The text stays for the coordinators (a hiding can be looked at again); the public
        # sees the reason instead.
        changes = {
            "state": MessageState.HIDDEN.value,
            "hidden_reason": hide.reason,
            "hidden_by": user.member_id,
            "removed_at": now,
        }
        return (await self.views([await self._change(doc, changes, data)], user))[0]

    async def report(self, message_id: str, user: User, report: ReportMessage) -> ReportOut:
        doc = await self._message(message_id)
        await self.subject(SubjectKind(doc["subject_kind"]), doc["subject_ref"], user)
        if doc["state"] != MessageState.VISIBLE.value:
            raise DomainError(409, "This message was removed already")
        now = datetime.now(UTC)
        report_id = str(uuid4())
        record = {
            "_id": report_id,
            "message_id": message_id,
            "reported_by": user.member_id,
            "reason": report.reason,
            "at": now,
            "open": True,
        }
        event = events.envelope(
            message_id,
            doc["version"],
            contract.MessageReported(
                message_id=message_id,
                thread_id=doc["thread_id"],
                subject=self._subject_of(doc),
                report_id=report_id,
                reported_by=user.member_id,
                at=now,
            ),
        )

        async def write(session: Any) -> None:
            await self.store.insert_report(
                session, record, self.store.outbox.entry(topic=events.TOPIC, envelope=event)
            )

        await self.store.transaction(write)
        message = (await self.views([doc], user))[0]
        return ReportOut(id=report_id, message=message, reason=report.reason, reported_at=now)

    async def reports(self, user: User, limit: int, cursor: str | None) -> Page[ReportOut]:
        found = await self.store.open_reports(limit + 1, _position(cursor))
        shown = found[:limit]
        docs = await self.store.messages_by_id([r["message_id"] for r in shown])
        views = {m.id: m for m in await self.views(docs, user)}
        items = [
            ReportOut(
                id=r["_id"],
                message=views[r["message_id"]],
                reason=r["reason"],
                reported_at=_naive(r["at"]),
            )
            for r in shown
            if r["message_id"] in views
        ]
        last = shown[-1] if shown else None
        return Page[ReportOut](
            items=items,
            next_cursor=encode_cursor({"at": _naive(last["at"]).isoformat(), "id": last["_id"]})
            if last and len(found) > limit
            else None,
            limit=limit,
        )

    async def dismiss(self, report_id: str, user: User) -> None:
        if not await self.store.dismiss_report(report_id, user.member_id, datetime.now(UTC)):
            raise DomainError(404, f"No open report with id {report_id}", field="report_id")

    # --- following ----------------------------------------------------------------------------

    async def follow_subject(self, kind: SubjectKind, ref: str, user: User, on: bool) -> SubjectOut:
        await self.subject(kind, ref, user)
        key = subject_key(kind, ref)
        if on:
            await self.store.follow(user.member_id, key)
        else:
            await self.store.unfollow(user.member_id, key)
        return await self.subject(kind, ref, user)

    async def follow_thread(self, thread_id: str, user: User, on: bool) -> None:
        root = await self._message(thread_id)
        if not root["root"]:
            raise DomainError(422, "Follow a thread by its first message", field="thread_id")
        await self.subject(SubjectKind(root["subject_kind"]), root["subject_ref"], user)
        if on:
            await self.store.follow(user.member_id, thread_target(thread_id))
        else:
            await self.store.unfollow(user.member_id, thread_target(thread_id))

    # --- topics -------------------------------------------------------------------------------

    async def _topic_view(self, doc: dict[str, Any]) -> TopicOut:
        threads, messages = await self.store.counts(subject_key(SubjectKind.TOPIC, doc["_id"]))
        return TopicOut(
            id=doc["_id"],
            title=doc["title"],
            description=doc["description"],
            members_only=doc["members_only"],
            open=doc["open"],
            created_at=_naive(doc["created_at"]),
            threads=threads,
            messages=messages,
        )

    async def topics(self, user: User | None, limit: int, cursor: str | None) -> Page[TopicOut]:
        found = await self.store.list_topics(
            include_members_only=user is not None, limit=limit + 1, before=_position(cursor)
        )
        shown = found[:limit]
        last = shown[-1] if shown else None
        return Page[TopicOut](
            items=[await self._topic_view(d) for d in shown],
            next_cursor=encode_cursor(
                {"at": _naive(last["created_at"]).isoformat(), "id": last["_id"]}
            )
            if last and len(found) > limit
            else None,
            limit=limit,
        )

    async def create_topic(self, user: User, topic: NewTopic) -> TopicOut:
        now = datetime.now(UTC)
        topic_id = str(uuid4())
        doc = {
            "_id": topic_id,
            "version": 1,
            "title": topic.title,
            "description": topic.description,
            "members_only": topic.members_only,
            "open": True,
            "created_by": user.member_id,
            "created_at": now,
        }
        event = events.envelope(
            topic_id,
            1,
            contract.TopicChanged(
                topic_id=topic_id,
                title=topic.title,
                description=topic.description,
                members_only=topic.members_only,
                open=True,
                changed_by=user.member_id,
                at=now,
            ),
        )

        async def write(session: Any) -> None:
            await self.store.insert_topic(
                session, doc, self.store.outbox.entry(topic=events.TOPIC, envelope=event)
            )

        await self.store.transaction(write)
        return await self._topic_view(doc)

    # --- notifications ------------------------------------------------------------------------

    async def notice(self, message_id: str) -> Notice:
        doc = await self._message(message_id)
        kind = SubjectKind(doc["subject_kind"])
        subject = await self.subject(kind, doc["subject_ref"], User(member_id="system:notice"))
        followers = await self.store.followers(
            [thread_target(doc["thread_id"]), subject_key(kind, doc["subject_ref"])]
        )
        return Notice(
            title=subject.title,
            subject_kind=kind,
            subject_ref=doc["subject_ref"],
            thread_id=doc["thread_id"],
            followers=followers,
            author_id=doc["author_id"],
        )

    async def forget(self, member_id: str) -> None:
        await self.store.forget_author(member_id)
