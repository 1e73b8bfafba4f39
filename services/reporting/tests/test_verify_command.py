"""``htk reporting verify`` finds a live aggregate that differs from the event log."""

import asyncio
import os
import sys

from htk_reporting import store
from htk_reporting.counting.projection import Projection
from htk_reporting.model.geography import load_geography
from htk_reporting.settings import ReportingSettings
from htk_runtime.mongo import make_mongo_client
from htk_testing.reporting_events import action_event, example_plan


async def htk(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "htk_cli.main", *args,
        env=dict(os.environ), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_verify_reports_differences(service_env: dict[str, str]) -> None:
    settings = ReportingSettings()
    client = make_mongo_client(settings)
    try:
        db = client[settings.mongo_database]
        p = Projection(db, load_geography(settings.reporting_data_dir))
        await p.load()
        await p.apply_plan(example_plan())
        await p.apply(action_event("published", "v1", 1, ["1.1.1"], municipalities=["091"]))
        await p.apply(action_event("published", "v1", 1, ["1.1.1"], municipalities=["091"]))
        await p.apply(action_event("updated", "v1", 2, ["1.2.1"]))

        code, out = await htk("reporting", "verify")
        assert code == 0, out
        assert "0 differences" in out

        await db[(await store.read_generation(db)).cells].update_one(
            {"_id": "1.2|all"}, {"$inc": {"actions": 1}}
        )
        code, out = await htk("reporting", "verify")
        assert code == 1
        assert "1.2|all actions: live 2, recomputed 1" in out

        code, out = await htk("reporting", "rebuild")
        assert code == 0, out
        code, out = await htk("reporting", "verify")
        assert code == 0, out
    finally:
        await client.close()
