"""Relevance of the search on its test set (services/search/tests/relevance), on both backends.

recall@10, MRR and trap hits per query class (htk_testing.search.score_relevance), for tantivy
and the Elasticsearch emulation (noida-db), written to ``results/relevance.md`` and
``results/relevance.json``; the summary gets the overall figures, tantivy next to Elasticsearch
(the two must agree: both rank the same analysed terms).
"""

import asyncio
import json
import shutil
import tempfile
import uuid
from pathlib import Path

from bench.figures import Figure
from htk_search.backends.base import SearchBackend
from htk_search.backends.elasticsearch_backend import ElasticsearchBackend
from htk_search.backends.tantivy_backend import TantivyBackend
from htk_testing.search import (
    REPO,
    RelevanceScore,
    engine_for,
    noida_elasticsearch,
    relevance_set,
    score_relevance,
)

RESULTS = Path(__file__).parent / "results"
RELEVANCE_DIR = REPO / "services/search/tests/relevance"


async def _score(backend: SearchBackend) -> RelevanceScore:
    relevance = relevance_set(RELEVANCE_DIR)
    engine = engine_for(backend, relevance.organisations)
    for action in relevance.actions:
        await backend.upsert(engine.document(action))
    try:
        return await score_relevance(engine, relevance)
    finally:
        await backend.close()


async def _both(workdir: Path, elasticsearch_url: str) -> dict[str, RelevanceScore]:
    tantivy = await _score(TantivyBackend(workdir / "tantivy"))
    alias = f"bench-relevance-{uuid.uuid4().hex[:6]}"
    elasticsearch = await _score(await ElasticsearchBackend.open(elasticsearch_url, alias))
    return {"tantivy": tantivy, "elasticsearch": elasticsearch}


def _table(scores: dict[str, RelevanceScore]) -> str:
    lines = [
        "| class | queries | backend | recall@10 | MRR | trap hits |",
        "|---|---|---|---|---|---|",
    ]
    for backend, score in scores.items():
        for name, row in score.figures().items():
            lines.append(
                f"| {name} | {row['queries']} | {backend} | {row['recall_at_10']:.3f} | "
                f"{row['mrr']:.3f} | {row['trap_hits']} |"
            )
    return "\n".join(lines)


def run(quick: bool) -> list[Figure]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-relevance-"))
    try:
        with noida_elasticsearch(workdir) as url:
            scores = asyncio.run(_both(workdir, url))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    tantivy = scores["tantivy"]
    (RESULTS / "relevance.md").write_text(
        "# Search relevance per query class\n\n"
        "The test set in services/search/tests/relevance, scored by "
        "htk_testing.search.score_relevance on both backends. recall@10 counts at most ten "
        "relevant actions per query; a trap hit is a look-alike of another word family in the "
        "first ten.\n\n"
        + _table(scores)
        + "\n\n## Queries not answered perfectly (tantivy)\n\n"
        + "\n".join(f"- {m}" for m in tantivy.misses)
        + "\n"
    )
    (RESULTS / "relevance.json").write_text(
        json.dumps({name: s.figures() for name, s in scores.items()}, indent=2)
    )
    es = scores["elasticsearch"].overall
    return [
        Figure(
            "relevance",
            "recall@10, tantivy",
            tantivy.overall.recall_at_10,
            "",
            "recall@10, Elasticsearch",
            es.recall_at_10,
            goal=">= 0.97",
        ),
        Figure(
            "relevance",
            "MRR, tantivy",
            tantivy.overall.mrr,
            "",
            "MRR, Elasticsearch",
            es.mrr,
            goal=">= 0.95",
        ),
        Figure(
            "relevance",
            "trap hits, tantivy",
            tantivy.overall.trap_hits,
            "",
            "trap hits, Elasticsearch",
            es.trap_hits,
            goal="0",
        ),
    ]
