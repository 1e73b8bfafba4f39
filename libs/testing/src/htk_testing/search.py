"""Test and benchmark helpers: example plan, actions from the relevance set, envelopes."""

import csv
import shutil
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from htk_contracts.actions import ActionPublished, ActionUpdated, ActionWithdrawn, PublicAction
from htk_contracts.catalogue import Names, Organisation, PlanLevel, PlanNode, PlanVersion
from htk_contracts.envelope import Envelope
from htk_runtime.processes import free_port, port_accepts, spawn, wait_until
from htk_search.analysis import analyser
from htk_search.backends.base import SearchBackend
from htk_search.engine import SearchEngine
from htk_search.geography import load_geography
from htk_testing.runtime import received

REPO = Path(__file__).resolve().parents[4]
DATA_DIR = REPO / "data"


def example_plan(path: Path = DATA_DIR / "plan" / "example-plan.csv") -> PlanVersion:
    levels = {1: PlanLevel.PRIORITY, 2: PlanLevel.SUB_GOAL, 3: PlanLevel.MEASURE}
    with path.open(encoding="utf-8") as f:
        nodes = [
            PlanNode(
                code=row["code"],
                level=levels[row["code"].count(".") + 1],
                name=Names(fi=row["name_fi"], sv=row["name_sv"], en=row["name_en"]),
                example=row["example"] == "yes",
            )
            for row in csv.DictReader(f)
        ]
    return PlanVersion(
        version=1,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        change="test",
        example=True,
        nodes=nodes,
    )


def public_action(
    action_id: str,
    *,
    version: int = 1,
    title: str = "Toiminta",
    summary: str = "Kuvaus",
    reduction: str = "Vähentää eroja",
    measures: list[str] | None = None,
    org: str = "org-oulu",
    lang: str = "fi",
    when: datetime | None = None,
    **extra: Any,
) -> PublicAction:
    measures = measures or ["1.1.1"]
    at = when or datetime(2025, 1, 1, tzinfo=UTC)
    return PublicAction(
        action_id=action_id,
        version=version,
        title=title,
        summary=summary,
        inequality_reduction=reduction,
        language=lang,  # type: ignore[arg-type]
        state=extra.pop("state", "ongoing"),
        organisation_id=org,
        plan_version=1,
        measures=measures,
        sub_goals=sorted({m.rsplit(".", 1)[0] for m in measures}),
        priorities=sorted({m.split(".", 1)[0] for m in measures}),
        published_at=at,
        updated_at=at,
        confirmed_at=at,
        **extra,
    )


@dataclass
class RelevanceSet:
    organisations: dict[str, Organisation]
    actions: list[PublicAction]
    queries: list[dict[str, Any]] = field(default_factory=list)


def relevance_set(directory: Path) -> RelevanceSet:
    data = tomllib.loads((directory / "actions.toml").read_text(encoding="utf-8"))
    organisations = {
        o["id"]: Organisation(
            organisation_id=o["id"],
            name_fi=o["name_fi"],
            name_sv=o.get("name_sv"),
            type=o["type"],
            status="approved",  # type: ignore[arg-type]
        )
        for o in data["organisation"]
    }
    actions = []
    for n, a in enumerate(data["action"]):
        actions.append(
            public_action(
                a["id"],
                title=a["title"],
                summary=a["summary"],
                reduction=a["reduction"],
                measures=a["measures"],
                org=a["org"],
                lang=a["lang"],
                when=datetime(2024, 1 + n % 12, 1 + n % 27, tzinfo=UTC),
                state=a["state"],
                national=a.get("national", False),
                counties=a.get("counties", []),
                municipalities=a.get("municipalities", []),
                target_groups=a.get("targets", []),
                inequality_dimensions=a.get("dims", []),
                start_date=date(a["start"], 1, 1) if "start" in a else None,
                end_date=date(a["end"], 12, 31) if "end" in a else None,
            )
        )
    queries = tomllib.loads((directory / "queries.toml").read_text(encoding="utf-8"))["query"]
    return RelevanceSet(organisations=organisations, actions=actions, queries=queries)


def engine_for(
    backend: SearchBackend, organisations: dict[str, Organisation] | None = None
) -> SearchEngine:
    engine = SearchEngine(backend, analyser(), load_geography(DATA_DIR))
    engine.organisations = dict(organisations or {})
    engine.plan = example_plan()
    return engine


def envelope(
    kind: str, action: PublicAction | None = None, *, action_id: str = "", version: int = 1
) -> Envelope[dict[str, Any]]:
    data: Any
    if kind == "published" and action:
        data, version, action_id = ActionPublished(action=action), action.version, action.action_id
    elif kind == "updated" and action:
        data, version, action_id = ActionUpdated(action=action), action.version, action.action_id
    else:
        data = ActionWithdrawn(
            action_id=action_id, organisation_id="org-oulu", at=datetime.now(UTC)
        )
    return received("/test", f"fi.htk.action.{kind}.v1", action_id, version, data)


@dataclass
class ClassScore:
    queries: int = 0
    recall_sum: float = 0.0
    reciprocal_sum: float = 0.0
    trap_hits: int = 0

    @property
    def recall_at_10(self) -> float:
        return self.recall_sum / self.queries if self.queries else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_sum / self.queries if self.queries else 0.0


@dataclass
class RelevanceScore:
    """recall@10 (the share of a query's relevant actions in the first ten, of at most ten),
    MRR (the mean of 1 / rank of the first relevant hit) and trap hits (look-alike actions of
    another word family in the first ten), over every query and per class."""

    overall: ClassScore = field(default_factory=ClassScore)
    classes: dict[str, ClassScore] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, dict[str, float]]:
        rows = {"all": self.overall, **dict(sorted(self.classes.items()))}
        return {
            name: {
                "queries": s.queries,
                "recall_at_10": round(s.recall_at_10, 3),
                "mrr": round(s.mrr, 3),
                "trap_hits": s.trap_hits,
            }
            for name, s in rows.items()
        }


async def score_relevance(engine: SearchEngine, relevance: RelevanceSet) -> RelevanceScore:
    score = RelevanceScore()
    for query in relevance.queries:
        result = await engine.search(
            query["q"],
            query.get("filters", {}),
            limit=10,
            include_national=query.get("include_national", False),
        )
        found = [hit.action_id for hit in result.items]
        relevant = set(query["relevant"])
        # A query with more than ten relevant actions can at best fill the first ten.
        recall = len(relevant & set(found)) / min(len(relevant), 10)
        rank = next((i + 1 for i, a in enumerate(found) if a in relevant), None)
        traps = [a for a in found if a in set(query.get("traps", ()))]
        for bucket in (score.overall, score.classes.setdefault(query["class"], ClassScore())):
            bucket.queries += 1
            bucket.recall_sum += recall
            bucket.reciprocal_sum += 1 / rank if rank else 0.0
            bucket.trap_hits += len(traps)
        if recall < 1 or rank != 1 or traps:
            score.misses.append(
                f"[{query['class']}] {query['q']!r} {query.get('filters', '')}: "
                f"recall {recall:.2f}, first at {rank}, traps {traps}, "
                f"missing {sorted(relevant - set(found))}, got {found}"
            )
    return score


@contextmanager
def noida_elasticsearch(workdir: Path) -> Iterator[str]:
    """Elasticsearch as noida-db (ES 8.15 emulation) with its data under ``workdir``: its URL,
    stopped on leaving (the search tests' fixture and the relevance benchmark)."""
    binary = shutil.which("noida-db") or str(Path(sys.executable).parent / "noida-db")
    port = free_port()
    process = spawn(
        "noida-db",
        [binary, "start", "--data-dir", str(workdir / "noida"), "--only", "elasticsearch",
         "--elasticsearch-port", str(port)],
        log_path=workdir / "noida.log",
    )  # fmt: skip
    try:
        wait_until(lambda: port_accepts("127.0.0.1", port), timeout=30, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop(5)
