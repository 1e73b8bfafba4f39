"""Login links are made and mailed off the request path.

The answer to "send me a link" must not tell whether the address is a member's, and the time
it takes tells as much as the words: issuing a link and talking to the SMTP relay take long
enough to measure. The request only puts the member on a queue; a worker issues the link and
sends the mail. A link that is lost when the process stops is asked for again (it lives 15
minutes anyway), so the queue is held in memory.
"""

import asyncio
import logging
from typing import Any

from htk_gateway.auth.sessions import LoginLinks
from htk_runtime.mail import Mail, Mailer
from htk_runtime.service import ServiceContext

log = logging.getLogger(__name__)

LINK_MAIL = {
    "fi": (
        "Kirjautumislinkki: Hyvinvointia kaikille 2030",
        "Kirjaudu alustalle tästä linkistä. Se toimii kerran ja 15 minuutin ajan:\n\n{link}\n\n"
        "Jos et pyytänyt linkkiä, voit jättää tämän viestin huomiotta.",
    ),
    "sv": (
        "Inloggningslänk: Välfärd för alla 2030",
        "Logga in på plattformen med den här länken. "
        "Den fungerar en gång i 15 minuter:\n\n{link}\n\n"
        "Om du inte bad om länken kan du strunta i meddelandet.",
    ),
    "en": (
        "Sign-in link: Welfare for all 2030",
        "Sign in to the platform with this link. It works once, for 15 minutes:\n\n{link}\n\n"
        "If you did not ask for it, you can ignore this message.",
    ),
}
# Past this many waiting mails new ones are dropped (and logged): the rate limits keep a real
# queue far shorter, so a full one means a flood, which must not fill the memory.
QUEUE_SIZE = 10_000


class LinkMail:
    def __init__(self, links: LoginLinks, mailer: Mailer, public_url: str) -> None:
        self.links = links
        self.mailer = mailer
        self.public_url = public_url.rstrip("/")
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)

    def enqueue(self, member: dict[str, Any]) -> None:
        """A link for ``member`` (its ``_id``, ``email`` and ``language``), sent soon."""
        try:
            self.queue.put_nowait(member)
        except asyncio.QueueFull:
            log.warning("login link queue full: link not sent")

    async def send(self, member: dict[str, Any]) -> None:
        secret = await self.links.issue(member["_id"])
        link = f"{self.public_url}/auth/link/{secret}"
        subject, text = LINK_MAIL.get(member.get("language", "fi"), LINK_MAIL["fi"])
        await self.mailer.send(
            Mail(to=member["email"], subject=subject, text=text.format(link=link))
        )

    async def drained(self) -> None:
        """Until every queued link is sent (for tests and shutdown)."""
        await self.queue.join()

    async def run(self, ctx: ServiceContext) -> None:
        while not (ctx.stopping.is_set() and self.queue.empty()):
            try:
                member = await asyncio.wait_for(self.queue.get(), 0.5)
            except TimeoutError:
                continue
            try:
                await self.send(member)
            except Exception as exc:
                log.warning("login link not sent", extra={"error": repr(exc)})
            finally:
                self.queue.task_done()


async def link_mail_worker(ctx: ServiceContext) -> None:
    link_mail: LinkMail = ctx.state["link_mail"]
    await link_mail.run(ctx)
