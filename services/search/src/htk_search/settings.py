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
