"""Every ``htk`` command reads the launcher's settings (HTK_*_PORT, HTK_HOST), the same ones
``htk up`` starts the platform with, not the default ports."""

import asyncio
import os
import sys
from urllib.parse import urlsplit

import pytest

from htk_catalogue.settings import CatalogueSettings
from htk_cli import catalogue, search
from htk_cli.settings import service_settings
from htk_reporting import store
from htk_reporting.counting.projection import Projection
from htk_reporting.model.geography import load_geography
from htk_reporting.settings import ReportingSettings
from htk_runtime.mongo import make_mongo_client
from htk_runtime.settings import ServiceSettings
from htk_testing.reporting_events import action_event, example_plan


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTK_MONGO_URI", "HTK_KAFKA_BOOTSTRAP_SERVERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTK_HOST", "127.0.0.2")
    monkeypatch.setenv("HTK_MONGO_PORT", "27555")
    monkeypatch.setenv("HTK_KAFKA_PORT", "9555")


def test_each_command_group_uses_the_launchers_ports(launched: None) -> None:
    mongo = "mongodb://127.0.0.2:27555/?directConnection=true"
    assert catalogue.settings().mongo_uri == mongo
    assert search.settings_for_cli().mongo_uri == mongo
    assert service_settings(ReportingSettings).mongo_uri == mongo
    # htk dlt reads the broker the launcher runs.
    assert service_settings(ServiceSettings).kafka_bootstrap_servers == "127.0.0.2:9555"


def test_an_explicit_address_wins(launched: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTK_MONGO_URI", "mongodb://db.internal:27017")
    assert service_settings(CatalogueSettings).mongo_uri == "mongodb://db.internal:27017"


async def test_reporting_verify_talks_to_the_database_on_the_launchers_port(
    service_env: dict[str, str],
) -> None:
    settings = ReportingSettings()
    client = make_mongo_client(settings)
    db = client[settings.mongo_database]
    try:
        p = Projection(db, load_geography(settings.reporting_data_dir))
        await p.load()
        await p.apply_plan(example_plan())
        await p.apply(action_event("published", "v1", 1, ["1.1.1"]))
        await db[(await store.read_generation(db)).cells].update_one(
            {"_id": "1.1|all"}, {"$inc": {"actions": 1}}
        )
    finally:
        await client.close()
    address = urlsplit(service_env["HTK_MONGO_URI"])
    env = {k: v for k, v in os.environ.items() if k != "HTK_MONGO_URI"}
    env |= {"HTK_HOST": address.hostname or "", "HTK_MONGO_PORT": str(address.port)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "htk_cli.main", "reporting", "verify", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    # The difference made above is found: it read this database, on the launcher's port.
    assert proc.returncode == 1, out.decode()
    assert "1.1|all actions: live 2, recomputed 1" in out.decode()


def test_dlt_signs_in_as_the_kafka_user_it_is_given(
    launched: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from htk_cli.dlt import sasl_options

    assert sasl_options(service_settings(ServiceSettings)) == {}
    monkeypatch.setenv("HTK_KAFKA_SASL_USERNAME", "htk-operator")
    monkeypatch.setenv("HTK_KAFKA_SASL_PASSWORD", "pw")
    options = sasl_options(service_settings(ServiceSettings))
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "htk-operator",
        "pw",
    )
