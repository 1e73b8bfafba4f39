"""``htk search reindex``: rebuild the search index from the service's stored snapshots.

Queues a job in the search service's database; the running search service builds the new index
while the old one keeps serving and switches atomically. This command shows the progress and the
final count.
"""

import argparse
import asyncio
import sys
import time

from htk_cli.settings import service_settings
from htk_runtime.mongo import make_mongo_client
from htk_search.reindex import job_status, queue_job
from htk_search.settings import SearchSettings
from htk_search.store import ReadCopies

BAR_WIDTH = 30


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    search = commands.add_parser("search", help="search index operations")
    actions = search.add_subparsers(dest="search_command", required=True)
    reindex = actions.add_parser("reindex", help="rebuild the search index while it serves")
    reindex.add_argument(
        "--timeout", type=float, default=600.0, help="seconds to wait for the job (default 600)"
    )


def bar(done: int, total: int) -> str:
    share = done / total if total else 1.0
    filled = int(share * BAR_WIDTH)
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {share:4.0%}"


async def reindex(settings: SearchSettings, timeout: float) -> int:
    client = make_mongo_client(settings)
    try:
        store = ReadCopies(client[settings.mongo_database])
        job_id = await queue_job(store)
        print(f"Reindex job {job_id} queued; the search service picks it up.", flush=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = await job_status(store, job_id) or {}
            state = job.get("state", "queued")
            if state in ("running", "done"):
                sys.stdout.write("\r" + bar(int(job.get("done", 0)), int(job.get("total", 0))))
                sys.stdout.flush()
            if state == "done":
                print(f"\nDone: the new index holds {job.get('count')} actions.")
                return 0
            if state == "failed":
                print(f"\nReindex failed: {job.get('error')}", file=sys.stderr)
                return 1
            await asyncio.sleep(0.2)
        print(
            f"\nNo result within {timeout:.0f} s. Is the search service running?", file=sys.stderr
        )
        return 1
    finally:
        await client.close()


def settings_for_cli() -> SearchSettings:
    return service_settings(SearchSettings)


def run(args: argparse.Namespace) -> int:
    if args.search_command == "reindex":
        return asyncio.run(reindex(settings_for_cli(), args.timeout))
    return 2
