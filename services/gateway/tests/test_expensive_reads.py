from htk_gateway.main import create_service
from htk_testing.runtime import running


async def test_figures_at_a_past_date_are_limited_per_caller(
    service_env: dict[str, str], monkeypatch
) -> None:
    # Nothing listens there: the first calls get through the limit and meet a 503.
    monkeypatch.setenv("HTK_REPORTING_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("HTK_EXPENSIVE_READS_PER_MINUTE", "2")
    async with running(create_service().app()) as client:
        statuses = [
            (await client.get("/api/v1/coverage/at", params={"date": "2025-01-01"})).status_code
            for _ in range(3)
        ]
        assert statuses == [503, 503, 429]
        # Cheap reads are not counted against it.
        assert (await client.get("/api/v1/coverage/series")).status_code == 503
