"""Entry point of the ``htk`` command."""

import argparse
import sys

from htk_cli.launcher import up
from htk_cli.settings import LauncherSettings
from htk_runtime.settings import ServiceSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="htk", description="HTK platform operator commands")
    commands = parser.add_subparsers(dest="command", required=True)

    up_cmd = commands.add_parser("up", help="run the whole platform on the embedded default")
    up_cmd.add_argument(
        "--dev-open-writes",
        action="store_true",
        help="let the gateway accept writes without login (development only)",
    )

    dlt = commands.add_parser("dlt", help="inspect and re-drive dead letters")
    dlt_commands = dlt.add_subparsers(dest="dlt_command", required=True)
    dlt_list = dlt_commands.add_parser("list", help="print the dead letters, one JSON line each")
    dlt_list.add_argument("--topic", help="one dead-letter topic (default: all)")
    dlt_replay = dlt_commands.add_parser("replay", help="publish dead letters to their topic again")
    dlt_replay.add_argument(
        "--topic", required=True, help="the dead-letter topic, e.g. submissions.actions.v1.dlt"
    )
    dlt_replay.add_argument("--from-offset", type=int, default=0)
    dlt_replay.add_argument("--to-offset", type=int, default=None)

    args = parser.parse_args(argv)
    if args.command == "up":
        return up(LauncherSettings(), dev_open_writes=args.dev_open_writes)
    if args.command == "dlt":
        from htk_cli import dlt as dead_letters

        bootstrap = ServiceSettings().kafka_bootstrap_servers
        if args.dlt_command == "list":
            return dead_letters.run_list(bootstrap, args.topic)
        return dead_letters.run_replay(bootstrap, args.topic, args.from_offset, args.to_offset)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
