"""Reminders to confirm or update actions whose description is getting old.

The first reminder goes to the action's contact; when the contact is gone, or a period passes
with no reaction, the next goes to the organisation's admins, and then to the coordinators.
Each person gets one digest listing all their actions, at most once per period per action.
A confirmation (or any publication) starts the count again.
"""

import base64
import hashlib
import hmac
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.mail import Mail, Mailer
from htk_submissions.readcopies import CatalogueCopies
from htk_submissions.settings import SubmissionsSettings
from htk_submissions.store import ACTIONS

log = logging.getLogger(__name__)


def link_token(secret: str, action_id: str, confirmed_at: datetime) -> str:
    """Valid until the action is next confirmed, so a used link cannot be used again."""
    message = f"{action_id}:{confirmed_at.astimezone(UTC).isoformat()}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_matches(secret: str, action_id: str, confirmed_at: datetime, token: str) -> bool:
    return hmac.compare_digest(link_token(secret, action_id, confirmed_at), token)


TEXTS = {
    "fi": (
        "Onko toimenpiteiden kuvaus yhä ajan tasalla?",
        "Hei {name},\n\nseuraavien toimenpiteiden kuvauksia ei ole vahvistettu vähään aikaan. "
        "Vahvista kuvaus yhdellä napsautuksella tai päivitä se:\n\n{items}\n\n"
        "Hyvinvointia kaikille 2030 -alusta",
    ),
    "sv": (
        "Är beskrivningarna av åtgärderna fortfarande aktuella?",
        "Hej {name},\n\nbeskrivningarna av följande åtgärder har inte bekräftats på ett tag. "
        "Bekräfta med ett klick eller uppdatera:\n\n{items}\n\nPlattformen Välfärd för alla 2030",
    ),
    "en": (
        "Are your action descriptions still up to date?",
        "Hello {name},\n\nthe descriptions of these actions have not been confirmed for a while. "
        "Confirm with one click, or update them:\n\n{items}\n\nWelfare for all 2030 platform",
    ),
}


@dataclass
class Recipient:
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
        self.copies = copies
        self.mailer = mailer
        self.settings = settings
        self.secret = secret

    async def _recipients(self, action: dict[str, Any]) -> list[dict[str, Any]]:
        level = action.get("reminders", {}).get("count", 0)
        organisation_id = action["organisation_id"]
        if level == 0:
            contact_id = action["content"].get("contact_member_id")
            contact = await self.copies.member(contact_id) if contact_id else None
            if contact is not None and organisation_id in contact["organisations"]:
                return [contact]
        if level <= 1:
            admins = await self.copies.admins_of(organisation_id)
            if admins:
                return admins
        return await self.copies.coordinators()

    async def run(self, now: datetime | None = None) -> dict[str, int]:
        now = now or datetime.now(UTC)
        ageing_since = now - timedelta(days=self.settings.fresh_days)
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
        for action in due:
            for person in await self._recipients(action):
                if not person.get("email"):
                    continue
                recipient = digests.setdefault(
                    person["email"],
                    Recipient(person["name"] or "", person["email"], person.get("language", "fi")),
                )
                recipient.actions.append(action)
                reached[action["_id"]].append(person["email"])
        for recipient in digests.values():
            await self.mailer.send(self._mail(recipient))
        for action in due:
            if reached[action["_id"]]:
                await self.actions.update_one(
                    {"_id": action["_id"]},
                    {"$set": {"reminders.last_at": now}, "$inc": {"reminders.count": 1}},
                )
        log.info("reminders sent", extra={"actions": len(due), "mails": len(digests)})
        return {"actions": len(due), "mails": len(digests)}

    def _mail(self, recipient: Recipient) -> Mail:
        subject, body = TEXTS.get(recipient.language, TEXTS["fi"])
        base = self.settings.public_url.rstrip("/")
        items = "\n\n".join(
            f"- {a['public']['title']}\n  {base}/actions/{a['_id']}/confirm?token="
            f"{link_token(self.secret, a['_id'], a['confirmed_at'])}\n  {base}/actions/{a['_id']}"
            for a in recipient.actions
        )
        return Mail(
            to=recipient.email, subject=subject, text=body.format(name=recipient.name, items=items)
        )
