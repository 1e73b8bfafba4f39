"""Run every benchmark module and write one summary (``python -m bench [--quick] [names...]``).

Each ``bench/bench_<area>.py`` defines ``run(quick: bool) -> list[Figure]``. The summary table
goes to ``bench/results/summary.md`` with the machine's details, the raw figures to
``bench/results/summary.json``.
"""

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Figure

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
    }


def table(figures: list[Figure]) -> str:
    lines = [
        "| area | figure | value | baseline | baseline value | ratio | goal | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.area} | {f.name} | {f.value:.4g} {f.unit} | {f.baseline_name} | "
            f"{f.baseline_value:.4g} {f.unit} | {f.ratio:.2f} | {f.goal} | {f.note} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("names", nargs="*", help="areas to run (default: all)")
    args = parser.parse_args()
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if args.names:
        modules = [m for m in modules if m.removeprefix("bench_") in args.names]
    figures: list[Figure] = []
    failures: list[str] = []
    for name in modules:
        started = time.monotonic()
        print(f"== {name}", flush=True)
        try:
            figures.extend(importlib.import_module(f"bench.{name}").run(args.quick))
        except Exception as exc:  # one broken benchmark must not hide the others
            failures.append(f"{name}: {exc!r}")
            print(f"   failed: {exc!r}", flush=True)
        print(f"   {time.monotonic() - started:.1f} s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    # Running some areas keeps the other areas' latest figures, each with its own date.
    ran = {name.removeprefix("bench_") for name in modules}
    now = machine()["date"]
    for figure in figures:
        object.__setattr__(figure, "note", f"{figure.note} ({now[:10]})".strip())
    summary = RESULTS / "summary.json"
    if summary.exists() and args.names:
        earlier = json.loads(summary.read_text()).get("figures", [])
        kept = [
            Figure(**{k: v for k, v in f.items() if k != "ratio"})
            for f in earlier
            if f["area"] not in ran
        ]
        figures = kept + figures
    info = machine()
    header = "\n".join(f"- {k}: {v}" for k, v in info.items())
    body = table(figures)
    failed = "\n".join(f"- {f}" for f in failures) or "- none"
    mode = " (quick)" if args.quick else ""
    (RESULTS / "summary.md").write_text(
        f"# Benchmark summary{mode}\n\n{header}\n\n{body}\n\n## Failed benchmarks\n\n{failed}\n"
    )
    (RESULTS / "summary.json").write_text(
        json.dumps(
            {
                "machine": info,
                "figures": [f.as_dict() for f in figures],
                "failures": failures,
                "quick": args.quick,
            },
            indent=2,
        )
    )
    print(body)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
