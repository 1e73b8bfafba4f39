from htk_runtime.mongo import make_mongo_client
from htk_runtime.settings import ServiceSettings
from htk_runtime.versions import VersionLedger


async def test_only_newer_versions_are_recorded(service_env: dict[str, str]) -> None:
    settings = ServiceSettings()
    mongo = make_mongo_client(settings)
    ledger = VersionLedger(mongo[settings.mongo_database]["versions"])
    assert await ledger.held("a") == 0
    assert await ledger.record("a", 2)
    assert not await ledger.record("a", 2), "a duplicate changes nothing"
    assert not await ledger.record("a", 1), "an older version changes nothing"
    assert await ledger.held("a") == 2
    assert await ledger.is_newer("a", 3)
    assert await ledger.record("a", 3)
    assert await ledger.held("a") == 3
    await mongo.close()
