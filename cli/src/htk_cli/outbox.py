"""``htk outbox list|show|resend``: events the outbox relay parked after repeated failures.

The relay of a service parks an event the broker keeps refusing (``htk_runtime.outbox``), so the
events after it keep flowing; an alert fires (the log line "outbox event parked" and the metric
``htk_outbox_parked_events_total``). ``list`` shows the parked events of every service with an
outbox, ``show`` one entry whole (its event may hold personal data: members' names and
addresses), ``resend`` puts it back in line once the cause is fixed: the running relay sends it
within seconds, or parks it again if the cause is still there.

The database is ``HTK_MONGO_URI`` when set, else the embedded platform's (``HTK_HOST``,
``HTK_MONGO_PORT``); each service's database has its default name unless ``--database`` names it.
"""

import argparse
import asyncio
import json
import os
from typing import Any

from htk_cli.settings import LauncherSettings
from htk_runtime.embedded import mongo_uri
from htk_runtime.outbox import Outbox
from htk_runtime.settings import ServiceSettings

SERVICES = ("catalogue", "submissions")  # the services that publish through an outbox


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cmd = commands.add_parser("outbox", help="parked outbox events: list, show, send again")
    sub = cmd.add_subparsers(dest="outbox_command", required=True)
    for name, text in (
        ("list", "the parked events of each service"),
        ("show", "one outbox entry with its event"),
        ("resend", "put a parked event back in line for the relay"),
    ):
        p = sub.add_parser(name, help=text)
        if name != "list":
            p.add_argument("event_id", help="the event's id (as `htk outbox list` prints it)")
        p.add_argument("--service", choices=SERVICES, help="only this service (default: all)")
        p.add_argument("--database", help="the service's database name, if not its default")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


def _database_name(service: str) -> str:
    from htk_catalogue.settings import CatalogueSettings
    from htk_submissions.settings import SubmissionsSettings

    settings: dict[str, type[ServiceSettings]] = {
        "catalogue": CatalogueSettings,
        "submissions": SubmissionsSettings,
    }
    return str(settings[service].model_fields["mongo_database"].default)


def _uri() -> str:
    s = LauncherSettings()
    return os.environ.get("HTK_MONGO_URI") or mongo_uri(s.host, s.mongo_port)


async def _run(args: argparse.Namespace) -> int:
    from htk_runtime.mongo import make_mongo_client

    client = make_mongo_client(ServiceSettings(mongo_uri=_uri(), service_name="htk-cli"))
    services = [args.service] if args.service else list(SERVICES)
    try:
        outboxes = {s: Outbox(client[args.database or _database_name(s)]) for s in services}
        if args.outbox_command == "list":
            return await _list(outboxes)
        for service, outbox in outboxes.items():
            doc = await outbox.get(args.event_id)
            if doc is None:
                continue
            if args.outbox_command == "show":
                print(json.dumps({"service": service, **doc}, default=str, indent=2))
                return 0
            if await outbox.resend(args.event_id):
                print(
                    f"{args.event_id} of {service} is back in line: its relay sends it within "
                    "seconds (or parks it again if the cause remains)"
                )
                return 0
            print(f"{args.event_id} of {service} is not parked (sent: {doc.get('sent_at')})")
            return 1
        print(f"no outbox entry {args.event_id} in {', '.join(services)}")
        return 1
    finally:
        await client.close()


async def _list(outboxes: dict[str, Outbox]) -> int:
    for service, outbox in outboxes.items():
        parked = await outbox.parked()
        print(f"{service}: {await outbox.backlog()} waiting, {len(parked)} parked")
        for doc in parked:
            row: dict[str, Any] = {
                "event_id": doc["event_id"],
                "topic": doc["topic"],
                "type": doc["event"].get("type"),
                "key": doc["key"],
                "attempts": doc.get("attempts"),
                "parked_at": doc.get("parked_at"),
                "last_error": doc.get("last_error"),
            }
            print("  " + json.dumps(row, default=str))
    return 0
