"""Reminders to confirm or update actions whose description is getting old.

The first reminder goes to the action's contact; when the contact is gone, or a period passes
with no reaction, the next goes to the organisation's admins, and then to the coordinators.
Each person gets one digest listing all their actions, at most once per period per action.
A confirmation (or any publication) starts the count again.

Every reminder mail ends with a signed link that stops reminders for its recipient (and can
start them again). Someone who stopped them is passed over as if absent, so the reminder
reaches the next stage (admins, then coordinators) instead of nobody.
"""

import base64
import hashlib
import hmac
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.freshness import ageing_from
from htk_runtime.mail import Mail, Mailer
from htk_submissions.readcopies import CatalogueCopies
from htk_submissions.settings import SubmissionsSettings
from htk_submissions.store import ACTIONS, ReminderOptOuts

log = logging.getLogger(__name__)


def _millis(moment: datetime) -> int:
    # The database keeps milliseconds and may hand back naive UTC times.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _signature(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_token(secret: str, action_id: str, confirmed_at: datetime) -> str:
    """``<confirmed_at in ms>.<signature>``: the link names the confirmation it asks to renew,
    so a second click (or a colleague's click on the same digest) after the action was
    confirmed is recognised as done already rather than refused."""
    millis = _millis(confirmed_at)
    return f"{millis}.{_signature(secret, f'{action_id}:{millis}')}"


def stop_signature(secret: str, member_id: str) -> str:
    return _signature(secret, f"reminders-stop:{member_id}")


def valid_stop_signature(secret: str, member_id: str, signature: str) -> bool:
    return hmac.compare_digest(stop_signature(secret, member_id).encode(), signature.encode())


class LinkCheck(StrEnum):
    CONFIRM = "confirm"  # the action is as the link saw it: confirm it now
    DONE = "done"  # confirmed (or updated) since the link was made: nothing left to do
    INVALID = "invalid"


def check_link(secret: str, action_id: str, confirmed_at: datetime | None, token: str) -> LinkCheck:
    millis_text, _, signature = token.partition(".")
    # Bytes: compare_digest refuses non-ASCII text, and a link can be mangled into anything.
    if not (millis_text.isascii() and millis_text.isdigit()) or not hmac.compare_digest(
        _signature(secret, f"{action_id}:{millis_text}").encode(), signature.encode()
    ):
        return LinkCheck.INVALID
    if confirmed_at is None:
        return LinkCheck.INVALID
    current = _millis(confirmed_at)
    if current == int(millis_text):
        return LinkCheck.CONFIRM
    return LinkCheck.DONE if current > int(millis_text) else LinkCheck.INVALID


TEXTS = {
    "fi": (
        "Onko toimenpiteiden kuvaus yhä ajan tasalla?",
        "Hei {name},\n\nseuraavien toimenpiteiden kuvauksia ei ole vahvistettu vähään aikaan. "
        "Vahvista kuvaus yhdellä napsautuksella (Yhä ajan tasalla) tai päivitä se (Muokkaa):"
        "\n\n{items}\n\n"
        "Hyvinvointia kaikille 2030 -alusta\n\n-- \n"
        "Etkö halua näitä muistutuksia? Lopeta ne (ne menevät silloin organisaatiosi "
        "ylläpitäjille):\n{stop}",
    ),
    "sv": (
        "Är beskrivningarna av åtgärderna fortfarande aktuella?",
        "Hej {name},\n\nbeskrivningarna av följande åtgärder har inte bekräftats på ett tag. "
        "Bekräfta med ett klick (Fortfarande aktuell) eller uppdatera (Redigera):\n\n{items}\n\n"
        "Plattformen Välfärd för alla 2030\n\n-- \n"
        "Vill du inte få dessa påminnelser? Stoppa dem (de går då till din organisations "
        "administratörer):\n{stop}",
    ),
    "en": (
        "Are your action descriptions still up to date?",
        "Hello {name},\n\nthe descriptions of these actions have not been confirmed for a while. "
        "Confirm with one click (Still current), or update them (Edit):\n\n{items}\n\n"
        "Welfare for all 2030 platform\n\n-- \n"
        "Don't want these reminders? Stop them (they then go to your organisation's "
        "admins):\n{stop}",
    ),
}


# Labels of the two links under each action: confirm as it is, or open the edit form.
LINK_LABELS = {
    "fi": ("Yhä ajan tasalla", "Muokkaa"),
    "sv": ("Fortfarande aktuell", "Redigera"),
    "en": ("Still current", "Edit"),
}


@dataclass
class Recipient:
    member_id: str
    name: str
    email: str
    language: str
    actions: list[dict[str, Any]] = field(default_factory=list)


class Reminders:
    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        copies: CatalogueCopies,
        mailer: Mailer,
        settings: SubmissionsSettings,
        secret: str,
    ) -> None:
        self.actions = db[ACTIONS]
        self.optouts = ReminderOptOuts(db)
        self.copies = copies
        self.mailer = mailer
        self.settings = settings
        self.secret = secret

    async def _recipients(self, action: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        """The next stage after the one last reached (contact 0, admins 1, coordinators 2)
        that has someone to reach, and who they are. A stage with nobody is passed over, and
        the coordinators keep getting the reminder until someone reacts."""
        reached = action.get("reminders", {}).get("stage")
        first = 0 if reached is None else min(reached + 1, 2)
        organisation_id = action["organisation_id"]
        if first == 0:
            contact_id = action["content"].get("contact_member_id")
            contact = await self.copies.member(contact_id) if contact_id else None
            if contact is not None and organisation_id in contact["organisations"]:
                if await self.optouts.keep([contact]):
                    return 0, [contact]
        if first <= 1:
            admins = await self.optouts.keep(await self.copies.admins_of(organisation_id))
            if admins:
                return 1, admins
        return 2, await self.optouts.keep(await self.copies.coordinators())

    async def run(self, now: datetime | None = None) -> dict[str, int]:
        now = now or datetime.now(UTC)
        ageing_since = ageing_from(now)  # the one freshness rule (htk_runtime.freshness)
        period_ago = now - timedelta(days=self.settings.reminder_period_days)
        due = await self.actions.find(
            {
                "public": {"$ne": None},
                "confirmed_at": {"$lt": ageing_since},
                "$or": [
                    {"reminders.last_at": {"$exists": False}},
                    {"reminders.last_at": {"$lt": period_ago}},
                ],
            }
        ).to_list()
        digests: dict[str, Recipient] = {}
        reached: dict[str, list[str]] = defaultdict(list)
        stages: dict[str, int] = {}
        for action in due:
            stages[action["_id"]], people = await self._recipients(action)
            for person in people:
                if not person.get("email"):
                    continue
                recipient = digests.setdefault(
                    person["email"],
                    Recipient(
                        person["_id"],
                        person["name"] or "",
                        person["email"],
                        person.get("language", "fi"),
                    ),
                )
                recipient.actions.append(action)
                reached[action["_id"]].append(person["email"])
        for recipient in digests.values():
            await self.mailer.send(self._mail(recipient))
        for action in due:
            if reached[action["_id"]]:
                await self.actions.update_one(
                    {"_id": action["_id"]},
                    {
                        "$set": {
                            "reminders.last_at": now,
                            "reminders.stage": stages[action["_id"]],
                        },
                        "$inc": {"reminders.count": 1},
                    },
                )
        log.info("reminders sent", extra={"actions": len(due), "mails": len(digests)})
        return {"actions": len(due), "mails": len(digests)}

    def _mail(self, recipient: Recipient) -> Mail:
        subject, body = TEXTS.get(recipient.language, TEXTS["fi"])
        still_current, edit = LINK_LABELS.get(recipient.language, LINK_LABELS["fi"])
        base = self.settings.public_url.rstrip("/")
        items = "\n\n".join(
            f"- {a['public']['title']}\n"
            f"  {still_current}: {base}/actions/{a['_id']}/confirm?token="
            f"{link_token(self.secret, a['_id'], a['confirmed_at'])}\n"
            f"  {edit}: {base}/my/actions/{a['_id']}/edit"
            for a in recipient.actions
        )
        return Mail(
            to=recipient.email,
            subject=subject,
            text=body.format(name=recipient.name, items=items, stop=self.stop_url(recipient)),
        )

    def stop_url(self, recipient: Recipient) -> str:
        base = self.settings.public_url.rstrip("/")
        signature = stop_signature(self.secret, recipient.member_id)
        return (
            f"{base}/reminders/stop?member={recipient.member_id}&sig={signature}"
            f"&lang={recipient.language}"
        )

    async def set_stopped(self, member_id: str, signature: str, stopped: bool) -> bool:
        """Stop (or start again) reminders for the member the signed link names; False when
        the signature is not ours."""
        if not valid_stop_signature(self.secret, member_id, signature):
            return False
        await self.optouts.set(member_id, stopped)
        return True
