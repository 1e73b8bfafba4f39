"""Following an action, an organisation, a measure or a region, and the digest of what changed.

Changes come from ``submissions.actions.v1`` (public events only: published, updated,
withdrawn). A digest worker mails each follower at most once per period what changed in what
they follow; the unsubscribe link in every digest, signed with the gateway secret, works with
one click.
"""

import asyncio
import hashlib
import hmac
import logging
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from htk_contracts.envelope import Envelope
from htk_gateway import i18n, reference
from htk_gateway.members import MemberCopies
from htk_gateway.web import form_data, limit_writes, redirect, render, state, viewer
from htk_runtime.consumer import action_event
from htk_runtime.errors import DomainError
from htk_runtime.mail import Mail, Mailer
from htk_runtime.mongo import ensure_ttl_index
from htk_runtime.service import ServiceContext

log = logging.getLogger(__name__)

FOLLOWS = "follows"
CHANGES = "follow_changes"
DIGESTS = "follow_digests"
PUBLIC_KINDS = ("published", "updated", "withdrawn")
# Retention (deploy/README.md): a change is kept for the digests this long, far beyond the
# longest digest period, then deleted by the database.
CHANGE_RETENTION = timedelta(days=90)


class Kind(StrEnum):
    ACTION = "action"
    ORGANISATION = "organisation"
    MEASURE = "measure"
    REGION = "region"


class Follows:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.follows = db[FOLLOWS]
        self.changes = db[CHANGES]
        self.digests = db[DIGESTS]

    async def ensure_indexes(self) -> None:
        await self.follows.create_index([("member_id", ASCENDING)])
        await ensure_ttl_index(self.changes, "at", int(CHANGE_RETENTION.total_seconds()))

    async def follow(self, member_id: str, kind: Kind, target: str) -> None:
        try:
            await self.follows.insert_one(
                {
                    "_id": f"{member_id}|{kind.value}|{target}",
                    "member_id": member_id,
                    "kind": kind.value,
                    "target": target,
                    "since": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            pass

    async def stop(self, member_id: str, kind: Kind, target: str) -> None:
        await self.follows.delete_one({"_id": f"{member_id}|{kind.value}|{target}"})

    async def stop_all(self, member_id: str) -> int:
        return (await self.follows.delete_many({"member_id": member_id})).deleted_count

    async def of(self, member_id: str) -> list[dict[str, Any]]:
        return await self.follows.find({"member_id": member_id}).sort("_id", 1).to_list()

    async def is_following(self, member_id: str, kind: str, target: str) -> bool:
        return await self.follows.find_one({"_id": f"{member_id}|{kind}|{target}"}) is not None

    async def targets(self, member_id: str, kind: str) -> set[str]:
        return {f["target"] for f in await self.of(member_id) if f["kind"] == kind}

    async def record(self, envelope: Envelope[dict[str, Any]]) -> bool:
        """Keep a public change for the digests; a replayed event is kept once."""
        event = action_event(envelope)
        if event.kind not in PUBLIC_KINDS:
            return False
        action = getattr(event, "action", None)
        try:
            await self.changes.insert_one(
                {
                    "_id": f"{envelope.subject}:{envelope.aggregateversion}",
                    "action_id": envelope.subject,
                    "kind": event.kind,
                    "title": action.title if action else None,
                    "organisation_id": action.organisation_id if action else event.organisation_id,
                    "measures": action.measures if action else [],
                    "regions": [*action.counties, *action.municipalities] if action else [],
                    "at": envelope.time,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def due(self, period: timedelta, now: datetime) -> list[str]:
        """Members who follow something and had no digest within ``period``."""
        members = set(await self.follows.distinct("member_id"))
        recent = {
            d["_id"]
            async for d in self.digests.find(
                {"_id": {"$in": sorted(members)}, "sent_at": {"$gt": now - period}}
            )
        }
        return sorted(members - recent)

    async def changes_for(self, member_id: str, since: datetime) -> list[dict[str, Any]]:
        follows = await self.of(member_id)
        if not follows:
            return []
        wanted: dict[str, set[str]] = {}
        for f in follows:
            wanted.setdefault(f["kind"], set()).add(f["target"])
        query = {
            "at": {"$gt": since},
            "$or": [
                {"action_id": {"$in": sorted(wanted.get("action", set()))}},
                {"organisation_id": {"$in": sorted(wanted.get("organisation", set()))}},
                {"measures": {"$in": sorted(wanted.get("measure", set()))}},
                {"regions": {"$in": sorted(wanted.get("region", set()))}},
            ],
        }
        latest: dict[str, dict[str, Any]] = {}
        async for change in self.changes.find(query).sort("at", 1):
            latest[change["action_id"]] = change
        return list(latest.values())

    async def last_digest(self, member_id: str) -> datetime | None:
        doc = await self.digests.find_one({"_id": member_id})
        return doc["sent_at"] if doc else None

    async def mark_sent(self, member_id: str, at: datetime) -> None:
        await self.digests.update_one({"_id": member_id}, {"$set": {"sent_at": at}}, upsert=True)


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


router = APIRouter(include_in_schema=False)


def _target_url(kind: str, target: str) -> str:
    return {
        "action": f"/actions/{target}",
        "organisation": f"/organisations/{target}",
        "measure": f"/plan#node-{target}",
        "region": f"/search?{'county' if len(target) == 2 else 'municipality'}={target}",
    }[kind]


@router.get("/my/follows", response_class=HTMLResponse)
async def follows_page(request: Request, done: str | None = None) -> Response:
    v = await viewer(request)
    if v.user is None:
        raise DomainError(401, "Sign in to do this")
    follows: Follows = state(request)["follows"]
    places = await reference.place_names(request)
    orgs = await reference.organisation_names(request)
    nodes = reference.plan_nodes(await reference.plan(request))
    rows = []
    for f in await follows.of(v.user.member_id):
        kind, target = f["kind"], f["target"]
        label = {
            "region": v.t.name(places.get(target)),
            "organisation": v.t.name(orgs.get(target)),
            "measure": f"{target} {v.t.name((nodes.get(target) or {}).get('name'))}",
        }.get(kind) or target
        rows.append(
            {"kind": kind, "target": target, "label": label, "url": _target_url(kind, target)}
        )
    return render(
        v,
        "follows.html",
        follows=rows,
        done=done if done and v.t.has(f"done.{done}") else None,
        counties=await reference.counties(request),
        municipalities=await reference.municipalities(request),
    )


@router.post("/my/follows", response_class=HTMLResponse)
async def change_follow(request: Request) -> Response:
    form = await form_data(request)
    v = await viewer(request)
    if v.user is None:
        raise DomainError(401, "Sign in to do this")
    await limit_writes(request, v.user)
    try:
        kind = Kind(str(form.get("kind", "")))
    except ValueError as exc:
        raise DomainError(422, "Unknown kind of follow", field="kind") from exc
    target = str(form.get("target", "")).strip()[:64]
    if not target:
        raise DomainError(422, "Nothing to follow", field="target")
    follows: Follows = state(request)["follows"]
    if form.get("stop") == "true":
        await follows.stop(v.user.member_id, kind, target)
        return redirect(v, "/my/follows?done=unfollowed")
    await follows.follow(v.user.member_id, kind, target)
    return redirect(v, "/my/follows?done=followed")


@router.get("/follows/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(request: Request, member: str = "", sig: str = "") -> Response:
    secret = request.app.state.service.settings.gateway_secret
    if not member or not hmac.compare_digest(unsubscribe_signature(secret, member), sig):
        raise DomainError(403, "This unsubscribe link is not valid", field="sig")
    follows: Follows = state(request)["follows"]
    await follows.stop_all(member)
    return render(await viewer(request), "unsubscribed.html")
