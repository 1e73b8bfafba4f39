"""``htk plan import FILE``: the next plan version from a CSV file, or every error in it.

Works on the catalogue's database directly, like ``htk catalogue`` (see there for settings).
"""

import argparse
import getpass
import sys
from pathlib import Path

from htk_catalogue.catalogue import Catalogue
from htk_catalogue.plan_file import PlanFileRefused, parse_plan
from htk_cli.catalogue import with_catalogue


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    plan = commands.add_parser("plan", help="the plan: import a new version from a CSV file")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True)
    imp = plan_commands.add_parser(
        "import", help="import FILE as the next plan version (refused whole if it has errors)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--by", default=None, help="who imports (default: cli:<user>)")
    imp.add_argument("--check", action="store_true", help="only check the file; change nothing")
    imp.add_argument("--reason", default="", help="why: kept with the new version")


def run(args: argparse.Namespace) -> int:
    return import_plan(args)


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
            doc = await catalogue.plan.import_file(data, file.name, by, args.reason.strip())
        except PlanFileRefused as exc:
            return _refused(file, exc)
        example = " (contains example data)" if doc["example"] else ""
        print(f"plan version {doc['_id']} imported from {file}: {len(doc['nodes'])} nodes{example}")
        return 0

    return with_catalogue(work)
