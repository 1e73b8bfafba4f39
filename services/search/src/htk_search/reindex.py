"""Rebuild jobs: ``htk search reindex`` queues one in the service's database, the running
service builds the new index while the old one serves, switches, and records progress and count.

The queue lives in MongoDB so the command needs no extra endpoint or credentials beyond what an
operator of the service already has, and the one process that owns the index does the writing.
"""

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument

from htk_runtime.service import ServiceContext
from htk_search.community import CommunitySearch
from htk_search.projection import ActionProjection
from htk_search.store import ReadCopies

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.3
ANY_INDEX = "*"


async def queue_job(store: ReadCopies, index: str | None = None) -> str:
    """A rebuild for whichever service takes it first, or with ``index`` for the one serving
    that index (its directory or alias): a service that finds its own index lost at start asks
    for its own rebuild, which another process sharing the database must not take."""
    job_id = uuid.uuid4().hex[:12]
    await store.jobs.insert_one(
        {
            "_id": job_id,
            "state": "queued",
            "index": index or ANY_INDEX,
            "total": 0,
            "done": 0,
            "created_at": datetime.now(UTC),
        }
    )
    return job_id


async def job_status(store: ReadCopies, job_id: str) -> dict[str, Any] | None:
    return await store.jobs.find_one({"_id": job_id})


async def run_job(
    store: ReadCopies,
    projection: ActionProjection,
    job_id: str,
    community: CommunitySearch | None = None,
) -> int:
    """Rebuilds the actions' index (the job's progress and count), then the news and events'."""
    # What the index holds now is what a rebuild usually finds, and tantivy and Elasticsearch
    # tell at once; counting the read copies takes a pass over them (only for an empty index).
    total = await projection.engine.backend.count() or await store.count_public()
    await store.jobs.update_one({"_id": job_id}, {"$set": {"total": total}})
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done = count

    async def report() -> None:
        reported = -1
        while True:
            if done != reported:
                reported = done
                # The estimate was short (actions published since): the total is at least this.
                await store.jobs.update_one(
                    {"_id": job_id}, {"$set": {"done": done}, "$max": {"total": done}}
                )
            await asyncio.sleep(PROGRESS_EVERY_SECONDS)

    reporter = asyncio.create_task(report())
    try:
        count = await projection.rebuild(progress)
        if community is not None:
            await community.rebuild()
    except Exception as exc:
        await store.jobs.update_one(
            {"_id": job_id}, {"$set": {"state": "failed", "error": repr(exc)[:500]}}
        )
        raise
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
    await store.jobs.update_one(
        {"_id": job_id},
        {
            "$set": {
                "state": "done",
                "done": done,
                "count": count,
                "finished_at": datetime.now(UTC),
            },
            "$max": {"total": done},
        },
    )
    return count


async def job_worker(ctx: ServiceContext) -> None:
    """Picks queued jobs one at a time until the service stops."""
    store: ReadCopies = ctx.state["store"]
    projection: ActionProjection = ctx.state["projection"]
    poll = float(getattr(ctx.settings, "reindex_poll_seconds", 0.5))
    mine = [ANY_INDEX, str(ctx.state["index"])]
    while not ctx.stopping.is_set():
        try:
            job = await store.jobs.find_one_and_update(
                # Jobs queued before jobs named an index have no "index": anyone's.
                {"state": "queued", "$or": [{"index": {"$in": mine}}, {"index": None}]},
                {"$set": {"state": "running", "started_at": datetime.now(UTC)}},
                return_document=ReturnDocument.AFTER,
            )
            if job is not None:
                log.info("reindex started", extra={"job": job["_id"]})
                count = await run_job(store, projection, job["_id"], ctx.state.get("community"))
                log.info("reindex done", extra={"job": job["_id"], "count": count})
                continue
        except Exception:
            log.exception("reindex job failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stopping.wait(), poll)
