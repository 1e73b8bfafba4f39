"""The digest of what changed in what a member follows: at most one mail per period, with a
one-click unsubscribe link signed with the gateway secret."""

import asyncio
import hashlib
import hmac
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from htk_gateway.auth.members import MemberCopies
from htk_gateway.follows.store import Follows
from htk_gateway.web import i18n
from htk_runtime.mail import Mail, Mailer
from htk_runtime.service import ServiceContext

log = logging.getLogger(__name__)


def unsubscribe_signature(secret: str, member_id: str) -> str:
    return hmac.new(
        secret.encode(), f"unsubscribe:{member_id}".encode(), hashlib.sha256
    ).hexdigest()


async def send_digests(ctx: ServiceContext, now: datetime | None = None) -> int:
    """One digest round: returns how many mails went out."""
    s: Any = ctx.settings
    follows: Follows = ctx.state["follows"]
    members: MemberCopies = ctx.state["members"]
    mailer: Mailer = ctx.state["mailer"]
    now = now or datetime.now(UTC)
    period = timedelta(hours=s.digest_period_hours)
    sent = 0
    for member_id in await follows.due(period, now):
        member = await members.get(member_id)
        if not member or not member.get("email"):
            continue
        last = await follows.last_digest(member_id)
        since = last or min((f["since"] for f in await follows.of(member_id)), default=now - period)
        changes = await follows.changes_for(member_id, since)
        if not changes:
            continue
        t = i18n.Translator(member.get("language", "fi"))
        base = s.public_url.rstrip("/")
        lines = [
            f"- {c.get('title') or c['action_id']} ({t('digest.kind_' + c['kind'])}): "
            f"{base}/actions/{c['action_id']}"
            for c in changes
        ]
        signature = unsubscribe_signature(s.gateway_secret, member_id)
        text = (
            t.plural("digest.intro", len(changes))
            + "\n\n"
            + "\n".join(lines)
            + "\n\n"
            + t("digest.unsubscribe")
            + f"\n{base}/follows/unsubscribe?member={member_id}&sig={signature}&lang={t.lang}\n"
        )
        await mailer.send(Mail(to=member["email"], subject=t("digest.subject"), text=text))
        await follows.mark_sent(member_id, now)
        sent += 1
    return sent


async def digest_worker(ctx: ServiceContext) -> None:
    interval = float(getattr(ctx.settings, "digest_interval_seconds", 3600))
    while not ctx.stopping.is_set():
        try:
            await send_digests(ctx)
        except Exception:
            log.exception("digest round failed; next round as usual")
        try:
            await asyncio.wait_for(ctx.stopping.wait(), interval)
        except TimeoutError:
            pass
