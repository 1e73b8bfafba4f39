"""Entry point of the ``htk`` command. Each command group lives in its own module with
``register(commands)`` and ``run(args)``."""

import argparse
import sys

from htk_cli import (
    admin,
    catalogue,
    demo,
    dlt,
    indicators,
    notify,
    outbox,
    places,
    plan,
    reporting,
    search,
    trace,
)
from htk_cli.launcher import up
from htk_cli.settings import LauncherSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="htk", description="HTK platform operator commands")
    commands = parser.add_subparsers(dest="command", required=True)

    up_cmd = commands.add_parser("up", help="run the whole platform on the embedded default")
    up_cmd.add_argument(
        "--dev-open-writes",
        action="store_true",
        help="let the gateway accept writes without login (development only)",
    )
    groups = {
        "admin": admin,
        "catalogue": catalogue,
        "demo": demo,
        "dlt": dlt,
        "indicators": indicators,
        "outbox": outbox,
        "notify": notify,
        "places": places,
        "plan": plan,
        "reporting": reporting,
        "search": search,
        "trace": trace,
    }
    for module in groups.values():
        module.register(commands)

    args = parser.parse_args(argv)
    if args.command == "up":
        return up(LauncherSettings(), dev_open_writes=args.dev_open_writes)
    if args.command in groups:
        return groups[args.command].run(args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
