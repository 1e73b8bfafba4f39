"""``htk reporting verify``: recompute every reporting aggregate from the stored source events and
compare with the live ones; exit 1 on any difference. ``htk reporting rebuild`` replaces the live
aggregates with the recomputed ones."""

import argparse
import asyncio


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cmd = commands.add_parser("reporting", help="reporting aggregates: verify or rebuild")
    sub = cmd.add_subparsers(dest="reporting_command", required=True)
    sub.add_parser("verify", help="recompute from the event log and report any difference")
    sub.add_parser("rebuild", help="recompute from the event log and replace the aggregates")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args.reporting_command))


async def _run(command: str) -> int:
    from htk_cli.settings import LauncherSettings, service_settings
    from htk_reporting.counting.projection import Projection
    from htk_reporting.counting.verify import verify
    from htk_reporting.model.geography import load_geography
    from htk_reporting.settings import ReportingSettings
    from htk_runtime.mongo import make_mongo_client

    launcher = LauncherSettings()
    settings = service_settings(ReportingSettings, reporting_data_dir=launcher.data_dir)
    client = make_mongo_client(settings)
    try:
        db = client[settings.mongo_database]
        geo = load_geography(settings.reporting_data_dir)
        if command == "rebuild":
            projection = Projection(db, geo)
            await projection.load()
            print(f"rebuilt {await projection.rebuild()} aggregate documents")
            return 0
        report = await verify(db, geo)
        for line in report.differences:
            print(line)
        print(
            f"{report.cells_checked} aggregate documents and {report.actions_checked} actions "
            f"checked: {len(report.differences)} differences"
        )
        return 0 if report.ok else 1
    finally:
        await client.close()
