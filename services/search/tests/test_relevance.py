"""Relevance on a realistic set written for the tests: 300+ actions in Finnish and Swedish (a few
in English), 150+ queries in classes (inflection, compounds, phrases, filters, typos, typos that
are valid words, derived words, Swedish compounds, several words), some with look-alike traps.

recall@10: the share of a query's relevant actions found in the first ten (of at most ten);
MRR: the mean of 1 / rank of the first relevant hit; trap hits: actions of another word family
that shares a long prefix with the query by chance, found in the first ten. `make bench` writes
the same figures per class to bench/results/relevance.md.
"""

from htk_search.engine import SearchEngine
from htk_testing.search import RelevanceSet, score_relevance

# Floors on both backends: a change must not lower them (measured figures in the README).
RECALL_AT_10 = 0.97
MRR = 0.99
TRAP_HITS = 0
CLASSES = {
    "inflection",
    "compound",
    "phrase",
    "filter",
    "typo",
    "typo_valid_word",
    "derived",
    "sv_compound",
    "several_words",
}


async def test_the_relevance_set_is_large_enough(relevance: RelevanceSet) -> None:
    assert len(relevance.actions) >= 300
    assert len(relevance.queries) >= 150
    assert {a.language.value for a in relevance.actions} >= {"fi", "sv"}
    known = {a.action_id for a in relevance.actions}
    classes = {q["class"] for q in relevance.queries}
    assert classes >= CLASSES, CLASSES - classes
    assert sum(1 for q in relevance.queries if q.get("traps")) >= 10
    for query in relevance.queries:
        assert set(query["relevant"]) <= known, query
        assert set(query.get("traps", ())) <= known - set(query["relevant"]), query


async def test_recall_mrr_and_traps(
    relevance_engine: SearchEngine, relevance: RelevanceSet
) -> None:
    score = await score_relevance(relevance_engine, relevance)
    figures = score.figures()
    table = "\n".join(f"{name:16} {row}" for name, row in figures.items())
    report = f"\n{table}\n" + "\n".join(score.misses)
    print(report)
    assert score.overall.recall_at_10 >= RECALL_AT_10, report
    assert score.overall.mrr >= MRR, report
    assert score.overall.trap_hits <= TRAP_HITS, report
