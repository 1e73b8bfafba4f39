"""Keeps reporting's copy of the discussion messages (``community.discussion.v1``): posted and
removed messages; edits, reports and topics change no figure. Replays change nothing."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from htk_contracts.community import DISCUSSION_EVENTS, MessagePosted, MessageRemoved
from htk_contracts.envelope import Envelope
from htk_reporting.counting.stream import Broadcaster
from htk_reporting.model.dialogue import DialogueFigures, count, posted_record, removed_record
from htk_reporting.model.plan import PlanView
from htk_reporting.store import actions as action_store
from htk_reporting.store import dialogue as dialogue_store


async def apply(
    db: AsyncDatabase[dict[str, Any]],
    envelope: Envelope[dict[str, Any]],
    broadcaster: Broadcaster | None = None,
) -> None:
    """Keeps a posted or removed message, and tells the live dashboards (``dialogue`` on the
    stream) to read the figures again; nothing of the message itself (who, what) goes out."""
    event = DISCUSSION_EVENTS.validate_python(envelope.data)
    if isinstance(event, MessagePosted):
        await dialogue_store.posted(db, posted_record(event))
    elif isinstance(event, MessageRemoved):
        await dialogue_store.removed(db, event.message_id, removed_record(event))
    else:
        return
    if broadcaster is not None:
        broadcaster.publish({"type": "dialogue"})


async def figures(db: AsyncDatabase[dict[str, Any]], plan: PlanView) -> DialogueFigures:
    """Counted from the messages at read: they are few, and a published or changed action
    moves its messages with it without recounting anything."""
    messages = await dialogue_store.messages(db)
    action_ids = sorted(
        {
            m["subject_ref"]
            for m in messages
            if m["subject_kind"] == "action" and not m.get("removed")
        }
    )
    return count(messages, await action_store.counted_places(db, action_ids), plan)
