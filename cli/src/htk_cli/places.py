"""``htk places boundaries fetch``: download Statistics Finland's municipality (and county)
boundary layers into var/geodata, checked against the reference data, for the map. The files are
never committed; point ``HTK_REPORTING_BOUNDARIES_DIR`` at the folder (``htk up`` does so when it
finds them under its var directory)."""

import argparse
from pathlib import Path


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from htk_reporting.places.boundaries_fetch import DEFAULT_URL

    cmd = commands.add_parser("places", help="places: map boundary files")
    sub = cmd.add_subparsers(dest="places_command", required=True)
    boundaries = sub.add_parser("boundaries", help="the map's boundary files")
    bsub = boundaries.add_subparsers(dest="boundaries_command", required=True)
    fetch = bsub.add_parser("fetch", help="download and check the official WFS layers")
    fetch.add_argument("--url", default=DEFAULT_URL, help="the WFS service address")
    fetch.add_argument("--out", type=Path, default=None, help="folder (default var/geodata)")
    fetch.add_argument("--year", type=int, default=2025, help="municipality layer year")
    fetch.add_argument("--county-year", type=int, default=2026, help="county layer year")


def run(args: argparse.Namespace) -> int:
    from htk_cli.settings import LauncherSettings
    from htk_reporting.places.boundaries_fetch import BoundaryError, CountyLayerSkipped, fetch
    from htk_reporting.settings import ReportingSettings
    from htk_runtime import geography

    settings = ReportingSettings()
    places = geography.load_geography(settings.reporting_data_dir / "geography")
    out = args.out or LauncherSettings().var_dir / "geodata"
    try:
        fetched = fetch(
            out,
            set(places.municipalities),
            set(places.counties),
            url=args.url,
            year=args.year,
            county_year=args.county_year,
        )
    except CountyLayerSkipped as skipped:
        fetched = skipped.fetched
        print(f"county layer skipped ({skipped.reason}); counties are drawn from municipalities")
    except BoundaryError as exc:
        print(f"refused, nothing written: {exc}")
        return 1
    for f in fetched:
        print(f"{f.path}: {f.features} features, checked")
    print(f"set HTK_REPORTING_BOUNDARIES_DIR={out.resolve()}")
    return 0
