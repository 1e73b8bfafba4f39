"""Turning events into mail: each recipient gets it now, in the daily digest, or never, as they
chose, in their language, with a link that stops it in one click."""

import asyncio
import hashlib
import hmac
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from htk_contracts.envelope import Envelope
from htk_gateway.auth.members import MemberCopies
from htk_gateway.notify.kinds import (
    KINDS,
    Delivery,
    Notice,
    Sources,
    default_of,
    kind_names,
)
from htk_gateway.notify.store import NotifyStore
from htk_gateway.web import i18n
from htk_gateway.web.formats import HELSINKI
from htk_runtime.mail import Mail, Mailer

log = logging.getLogger(__name__)

ALL = "all"
MAX_ATTEMPTS = 5760


def unsubscribe_signature(secret: str, member_id: str, kind: str) -> str:
    message = f"notify-unsubscribe:{member_id}:{kind}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Notifier:
    def __init__(
        self,
        store: NotifyStore,
        members: MemberCopies,
        sources: Sources,
        mailer: Mailer,
        public_url: str,
        secret: str,
        digest_hour: int = 7,
    ) -> None:
        self.store = store
        self.members = members
        self.sources = sources
        self.mailer = mailer
        self.base = public_url.rstrip("/")
        self.secret = secret
        self.digest_hour = digest_hour
        self.wake = asyncio.Event()

    # From events to jobs.

    async def event(self, envelope: Envelope[dict[str, Any]]) -> None:
        """Any consumed event: one whose type is in ``KINDS`` is notified, others are not."""
        if envelope.type not in KINDS:
            return
        # A published or updated action's event holds its whole public snapshot, which the
        # mail does not need; other events' data is small and may say whom to tell.
        public = "action" in envelope.data
        await self.take(
            Notice(
                id=envelope.id,
                type=envelope.type,
                subject=envelope.subject,
                version=envelope.aggregateversion,
                at=envelope.time,
                data={} if public else dict(envelope.data),
            )
        )

    async def take(self, notice: Notice) -> None:
        """Keep the event and wake the worker. The consumer goes on at once: reading details
        from the services and sending mail never holds up the read copies (a member's copy
        must be there when they follow their first sign-in link)."""
        added = await self.store.add_job(
            {
                "_id": notice.id,
                "type": notice.type,
                "subject": notice.subject,
                "version": notice.version,
                "at": notice.at,
                "data": notice.data,
                # Whom the event is about, for their erasure.
                "about": notice.data.get("member_id"),
            }
        )
        if added:
            self.wake.set()

    async def attempt(self, job: dict[str, Any]) -> bool:
        try:
            await self.process(job)
        except Exception as exc:
            attempts = int(job.get("attempts", 0)) + 1
            if attempts >= MAX_ATTEMPTS:
                # A day of retries at the default interval: whatever it is will not pass.
                log.error("notification given up", extra={"job": job["_id"], "error": repr(exc)})
                await self.store.finish_job(job["_id"])
                return False
            log.warning(
                "notification waits for a retry", extra={"job": job["_id"], "error": repr(exc)}
            )
            await self.store.failed_attempt(job["_id"], repr(exc))
            return False
        await self.store.finish_job(job["_id"])
        return True

    async def run_pending(self) -> int:
        """Notify of every kept event not done yet; the number done."""
        self.wake.clear()
        done = 0
        for job in await self.store.pending_jobs():
            done += await self.attempt(job)
        return done

    # From jobs to mail.

    async def process(self, job: dict[str, Any]) -> None:
        notice = Notice(
            id=job["_id"],
            type=job["type"],
            subject=job["subject"],
            version=job["version"],
            at=job["at"],
            data=job.get("data") or {},
        )
        kind = KINDS[notice.type]
        details = await kind.details(self.sources, notice)
        if details is None:
            return
        for member_id in await kind.recipients(self.sources, notice, details):
            await self.deliver(kind.name, notice, member_id, details)

    async def delivery_for(self, member_id: str, kind: str) -> Delivery:
        chosen = (await self.store.choices(member_id)).get(kind)
        return Delivery(chosen) if chosen in set(Delivery) else default_of(kind)

    async def deliver(
        self, kind: str, notice: Notice, member_id: str, details: dict[str, Any]
    ) -> None:
        member = await self.members.get(member_id)
        if not member or not member.get("email"):
            return
        delivery = await self.delivery_for(member_id, kind)
        if delivery == Delivery.NEVER:
            return
        # "submitter" and "_"-names say whom to tell, not what: they stay out of the mail.
        values = {k: v for k, v in details.items() if k != "submitter" and k[0] != "_"}
        record = {
            "_id": f"{notice.id}|{member_id}",
            "member_id": member_id,
            "subject": notice.subject,
            "about": notice.data.get("member_id"),
            "kind": kind,
            "delivery": delivery.value,
            "at": datetime.now(UTC),
            "values": values,
            "digested": None,
        }
        if not await self.store.claim(record):
            return  # notified before: a redelivered event
        if delivery == Delivery.IMMEDIATE:
            await self.mailer.send(self.mail(kind, member, values))

    # The mails.

    @staticmethod
    def message(kind: str, values: dict[str, Any]) -> str:
        """The messages' name: the kind's, or a decision's own (``membership_decided_rejected``)."""
        return str(values.get("message") or kind)

    def unsubscribe_url(self, member_id: str, kind: str, lang: str) -> str:
        # The language travels unsigned: it only picks the language of the page it lands on.
        sig = unsubscribe_signature(self.secret, member_id, kind)
        return (
            f"{self.base}/notifications/unsubscribe?member={member_id}&kind={kind}&sig={sig}"
            f"&lang={lang}"
        )

    def _values(self, t: i18n.Translator, values: dict[str, Any]) -> dict[str, Any]:
        shown = {k: t.name(v) if isinstance(v, dict) else v for k, v in values.items()}
        shown["url"] = self.base + str(values.get("path", "/"))
        return shown

    def _footer(self, t: i18n.Translator, member_id: str, kind: str) -> str:
        return (
            "\n\n-- \n"
            + t("notify.preferences", url=f"{self.base}/my/account#notifications")
            + "\n"
            + t("notify.unsubscribe_" + ("all" if kind == ALL else "kind"))
            + "\n"
            + self.unsubscribe_url(member_id, kind, t.lang)
            + "\n"
        )

    def mail(self, kind: str, member: dict[str, Any], values: dict[str, Any]) -> Mail:
        t = i18n.Translator(member.get("language", "fi"))
        shown = self._values(t, values)
        # The body ends with a colon: the link follows it; the comment comes after.
        text = (
            t("notify.greeting", name=member.get("name") or "")
            + "\n\n"
            + t(f"notify.{self.message(kind, values)}.body", **shown)
            + "\n"
            + shown["url"]
        )
        if shown.get("comment"):
            text += "\n\n" + t("notify.comment", comment=shown["comment"])
        if shown.get("reason"):
            text += "\n\n" + t("notify.reason", reason=shown["reason"])
        text += self._footer(t, member["_id"], kind)
        subject = t(f"notify.{self.message(kind, values)}.subject", **shown)
        return Mail(to=member["email"], subject=subject, text=text)

    def digest_mail(self, member: dict[str, Any], items: list[dict[str, Any]]) -> Mail:
        t = i18n.Translator(member.get("language", "fi"))
        lines = []
        for item in items:
            shown = self._values(t, item.get("values") or {})
            message = self.message(item["kind"], item.get("values") or {})
            line = "- " + t(f"notify.{message}.line", **shown) + "\n  " + shown["url"]
            if shown.get("comment"):
                line += "\n  " + t("notify.comment", comment=shown["comment"])
            lines.append(line)
        text = (
            t("notify.greeting", name=member.get("name") or "")
            + "\n\n"
            + t.plural("notify.digest.intro", len(items))
            + "\n\n"
            + "\n\n".join(lines)
            + self._footer(t, member["_id"], ALL)
        )
        return Mail(to=member["email"], subject=t("notify.digest.subject"), text=text)

    def digest_time(self, now: datetime) -> datetime:
        """The latest digest time (``digest_hour`` in Helsinki) at or before ``now``."""
        local = now.astimezone(HELSINKI)
        today = local.replace(hour=self.digest_hour, minute=0, second=0, microsecond=0)
        return today if today <= local else today - timedelta(days=1)

    async def send_digests(self, now: datetime | None = None, force: bool = False) -> int:
        """The daily digest: at the first round after the digest hour, each member gets what
        waited for them since their last digest; ``force`` (a coordinator's "send now") sends
        whatever waits. Returns how many digests went out."""
        now = now or datetime.now(UTC)
        due = self.digest_time(now)
        sent = 0
        for member_id, items in (await self.store.waiting_for_digest()).items():
            if not force and not any(i["at"].replace(tzinfo=UTC) <= due for i in items):
                continue  # everything came after this morning's digest: tomorrow's
            member = await self.members.get(member_id)
            if member and member.get("email"):
                await self.mailer.send(self.digest_mail(member, items))
                sent += 1
            await self.store.mark_digested([i["_id"] for i in items], now)
            await self.store.mark_digest_sent(member_id, now)
        return sent

    # Choices.

    async def choices(self, member_id: str) -> dict[str, str]:
        chosen = await self.store.choices(member_id)
        return {name: chosen.get(name) or default_of(name).value for name in kind_names()}

    async def unsubscribe(self, member_id: str, kind: str) -> None:
        names = kind_names() if kind == ALL else [kind]
        await self.store.choose(member_id, dict.fromkeys(names, Delivery.NEVER.value))
