from pathlib import Path
from typing import Literal

from htk_runtime.settings import ServiceSettings


class SearchSettings(ServiceSettings):
    service_name: str = "search"
    port: int = 8003
    mongo_database: str = "htk_search"
    search_backend: Literal["tantivy", "elasticsearch"] = "tantivy"
    search_index_dir: Path = Path("var/search")
    elasticsearch_url: str = "http://127.0.0.1:9200"
    # The alias searched and written; each rebuild creates "<alias>-<suffix>" behind it.
    elasticsearch_index: str = "htk-actions"
    # Reference data: the geography CSVs under <dir>/geography.
    search_data_dir: Path = Path("data")
    # Consume events from the broker; off only for tests that feed the projection directly.
    search_consume_events: bool = True
    # How often the service looks for reindex jobs queued by ``htk search reindex``.
    reindex_poll_seconds: float = 0.5
