"""``htk plan import FILE`` and ``htk catalogue replay|coordinator``: catalogue operator commands.

They work on the catalogue's database directly, through the service's own store code, with the
same ``HTK_*`` settings as the service (``HTK_MONGO_URI``, ``HTK_MONGO_DATABASE``; without
``HTK_MONGO_URI``, the database ``htk up`` runs at ``HTK_HOST``:``HTK_MONGO_PORT``). Events go
into the catalogue's outbox; the running service relays them to the broker.
"""

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from htk_catalogue.catalogue import Catalogue
from htk_catalogue.plan_file import PlanFileRefused, parse_plan
from htk_catalogue.settings import CatalogueSettings
from htk_cli.settings import LauncherSettings
from htk_runtime.embedded import mongo_uri
from htk_runtime.mongo import make_mongo_client


def register(commands: Any) -> None:
    plan = commands.add_parser("plan", help="the plan: import a new version from a CSV file")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True)
    imp = plan_commands.add_parser(
        "import", help="import FILE as the next plan version (refused whole if it has errors)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--by", default=None, help="who imports (default: cli:<user>)")
    imp.add_argument("--check", action="store_true", help="only check the file; change nothing")
    imp.set_defaults(run=import_plan)

    cat = commands.add_parser("catalogue", help="catalogue operator commands")
    cat_commands = cat.add_subparsers(dest="catalogue_command", required=True)
    replay = cat_commands.add_parser(
        "replay", help="re-emit the current state of every plan version, organisation, member"
    )
    replay.set_defaults(run=replay_all)
    coord = cat_commands.add_parser(
        "coordinator", help="give the coordinator role to the member with this email"
    )
    coord.add_argument("email")
    coord.set_defaults(run=grant_coordinator)


def settings() -> CatalogueSettings:
    if "HTK_MONGO_URI" in os.environ:
        return CatalogueSettings()
    launcher = LauncherSettings()
    return CatalogueSettings(
        mongo_uri=mongo_uri(launcher.host, launcher.mongo_port),
        catalogue_data_dir=launcher.data_dir,
    )


def _with_catalogue(work: Callable[[Catalogue], Awaitable[int]]) -> int:
    async def run() -> int:
        s = settings()
        mongo = make_mongo_client(s)
        try:
            return await work(await Catalogue.open(mongo[s.mongo_database], s))
        finally:
            await mongo.close()

    return asyncio.run(run())


def _refused(file: Path, exc: PlanFileRefused) -> int:
    print(f"{file}: refused, the plan is unchanged ({len(exc.errors)} errors):", file=sys.stderr)
    for error in exc.errors:
        print(f"{file}:{error.line}: {error.field}: {error.message}", file=sys.stderr)
    return 1


def import_plan(args: argparse.Namespace) -> int:
    file: Path = args.file
    try:
        data = file.read_bytes()
    except OSError as exc:
        print(f"{file}: cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    if args.check:
        try:
            nodes = parse_plan(data)
        except PlanFileRefused as exc:
            return _refused(file, exc)
        print(f"{file}: valid, {len(nodes)} nodes")
        return 0
    by = args.by or f"cli:{getpass.getuser()}"

    async def work(catalogue: Catalogue) -> int:
        try:
            doc = await catalogue.plan.import_file(data, file.name, by)
        except PlanFileRefused as exc:
            return _refused(file, exc)
        example = " (contains example data)" if doc["example"] else ""
        print(f"plan version {doc['_id']} imported from {file}: {len(doc['nodes'])} nodes{example}")
        return 0

    return _with_catalogue(work)


def replay_all(args: argparse.Namespace) -> int:
    async def work(catalogue: Catalogue) -> int:
        counts = await catalogue.replay()
        print("queued for the broker: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        return 0

    return _with_catalogue(work)


def grant_coordinator(args: argparse.Namespace) -> int:
    async def work(catalogue: Catalogue) -> int:
        member = await catalogue.members.by_email(args.email)
        if member is None:
            print(f"no member has the email address {args.email}", file=sys.stderr)
            return 1
        await catalogue.members.set_coordinator(member["_id"], True)
        print(f"{member['name']} ({member['_id']}) is now a coordinator")
        return 0

    return _with_catalogue(work)
