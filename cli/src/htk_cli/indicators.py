"""``htk indicators fetch``: one indicator's metadata, the region list and its values from
Sotkanet's REST API, checked whole, stored in reporting's database as the indicator's next
version. ``htk indicators load-example``: the made-up example set in data/indicators."""

import argparse
import asyncio
import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from htk_reporting.settings import ReportingSettings

DEFAULT_URL = "https://sotkanet.fi/rest/1.1"


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    cmd = commands.add_parser("indicators", help="welfare indicators (THL Sotkanet)")
    sub = cmd.add_subparsers(dest="indicators_command", required=True)
    fetch = sub.add_parser("fetch", help="fetch an indicator from Sotkanet's REST API")
    fetch.add_argument("--indicator", type=int, required=True)
    fetch.add_argument("--years", type=int, nargs="+", required=True)
    fetch.add_argument("--url", default=DEFAULT_URL, help="the REST API's base address")
    sub.add_parser("load-example", help="load the made-up example indicator set")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


def reporting_settings() -> "ReportingSettings":
    """Reporting's settings; without HTK_MONGO_URI, the database `htk up` runs (as the
    catalogue commands do), so the command works beside a running platform."""
    import os

    from htk_cli.settings import LauncherSettings
    from htk_reporting.settings import ReportingSettings
    from htk_runtime.embedded import mongo_uri

    if "HTK_MONGO_URI" in os.environ:
        return ReportingSettings()
    launcher = LauncherSettings()
    return ReportingSettings(
        mongo_uri=mongo_uri(launcher.host, launcher.mongo_port),
        reporting_data_dir=launcher.data_dir,
    )


def _county_ids(data_dir: Path) -> dict[int, str]:
    path = data_dir / "places" / "sotkanet_county_region_ids.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return {int(r["uusi_id"]): r["uusi_code"] for r in csv.DictReader(f) if r["uusi_id"]}


async def _run(args: argparse.Namespace) -> int:
    import httpx

    from htk_reporting.model.geography import load_geography
    from htk_reporting.places import indicator_store
    from htk_reporting.places.indicators import (
        ImportRefused,
        meta_from_sotkanet,
        parse_values,
        region_map,
    )
    from htk_runtime.mongo import make_mongo_client

    settings = reporting_settings()
    geo = load_geography(settings.reporting_data_dir)
    known = {f"municipality:{m}" for m in geo.county_of} | {f"county:{c}" for c in geo.county_names}
    imports: list[tuple[Any, list[dict[str, Any]], str]] = []
    try:
        if args.indicators_command == "load-example":
            path = settings.reporting_data_dir / "indicators" / "example-indicators.json"
            doc = json.loads(path.read_text("utf-8"))
            regions = region_map(doc["regions"], {})
            for item in doc["indicators"]:
                meta = meta_from_sotkanet(item, example=True)
                rows = json.dumps(doc["values"][str(meta.id)]).encode()
                imports.append((meta, parse_values(rows, "json", meta.id, regions, known),
                                f"example:{path.name}"))  # fmt: skip
        else:
            base = args.url.rstrip("/")
            async with httpx.AsyncClient(timeout=60, follow_redirects=True) as client:
                meta_answer = await client.get(f"{base}/indicators/{args.indicator}")
                meta_answer.raise_for_status()
                regions_answer = await client.get(f"{base}/regions")
                regions_answer.raise_for_status()
                params: list[tuple[str, str | int | float | bool | None]] = [
                    ("indicator", args.indicator)
                ]
                params += [("years", y) for y in args.years] + [("genders", "total")]
                data = await client.get(f"{base}/json", params=params)
                data.raise_for_status()
            meta = meta_from_sotkanet(meta_answer.json())
            regions = region_map(regions_answer.json(), _county_ids(settings.reporting_data_dir))
            values = parse_values(data.content, "json", meta.id, regions, known)
            imports.append((meta, values, f"{base}/json?indicator={meta.id}"))
    except ImportRefused as refused:
        for e in refused.errors:
            print(f"line {e['line']}: {e['field']}: {e['message']}")
        print("refused, nothing stored")
        return 1
    except httpx.HTTPError as exc:
        print(f"Sotkanet could not be read: {exc}")
        return 1
    mongo = make_mongo_client(settings)
    try:
        db = mongo[settings.mongo_database]
        for meta, values, source in imports:
            version = await indicator_store.save_import(db, meta, values, source)
            label = " (EXAMPLE DATA)" if meta.example else ""
            print(f"indicator {meta.id}{label}: {len(values)} values stored as version {version}")
    finally:
        await mongo.close()
    return 0
