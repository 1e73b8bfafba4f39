"""A benchmark figure is always reported next to a baseline measured in the same run.

The machines are shared and noisy, so absolute numbers mean little on their own; the ratio to a
baseline taken minutes apart on the same machine is what can be compared between runs.
"""

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    area: str  # e.g. "search", "submissions"
    name: str  # what was measured, e.g. "search p95, 5 facets, via HTTP"
    value: float
    unit: str  # "ms", "per s", "s"
    baseline_name: str  # e.g. "bare tantivy query p95"
    baseline_value: float
    goal: str = ""  # e.g. "p95 < 30 ms"
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; ``p`` in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
