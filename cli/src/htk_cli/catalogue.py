"""``htk catalogue replay|coordinator``: catalogue operator commands.

They work on the catalogue's database directly, through the service's own store code, with the
same ``HTK_*`` settings as the service (``HTK_MONGO_URI``, ``HTK_MONGO_DATABASE``; without
``HTK_MONGO_URI``, the database ``htk up`` runs at ``HTK_HOST``:``HTK_MONGO_PORT``). Events go
into the catalogue's outbox; the running service relays them to the broker.
"""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from htk_catalogue.catalogue import Catalogue
from htk_catalogue.settings import CatalogueSettings
from htk_cli.settings import LauncherSettings, service_settings
from htk_runtime.mongo import make_mongo_client


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cat = commands.add_parser("catalogue", help="catalogue operator commands")
    cat_commands = cat.add_subparsers(dest="catalogue_command", required=True)
    replay = cat_commands.add_parser(
        "replay", help="re-emit the current state of every plan version, organisation, member"
    )
    replay.set_defaults(handler=replay_all)
    coord = cat_commands.add_parser(
        "coordinator", help="give the coordinator role to the member with this email"
    )
    coord.add_argument("email")
    coord.set_defaults(handler=grant_coordinator)


def run(args: argparse.Namespace) -> int:
    return int(args.handler(args))


def settings() -> CatalogueSettings:
    return service_settings(CatalogueSettings, catalogue_data_dir=LauncherSettings().data_dir)


def with_catalogue(work: Callable[[Catalogue], Awaitable[int]]) -> int:
    async def run() -> int:
        s = settings()
        mongo = make_mongo_client(s)
        try:
            return await work(await Catalogue.open(mongo[s.mongo_database], s))
        finally:
            await mongo.close()

    return asyncio.run(run())


def replay_all(args: argparse.Namespace) -> int:
    async def work(catalogue: Catalogue) -> int:
        counts = await catalogue.replay()
        print("queued for the broker: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        return 0

    return with_catalogue(work)


def grant_coordinator(args: argparse.Namespace) -> int:
    async def work(catalogue: Catalogue) -> int:
        member = await catalogue.members.by_email(args.email)
        if member is None:
            print(f"no member has the email address {args.email}", file=sys.stderr)
            return 1
        await catalogue.members.set_coordinator(member["_id"], True)
        print(f"{member['name']} ({member['_id']}) is now a coordinator")
        return 0

    return with_catalogue(work)
