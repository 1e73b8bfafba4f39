"""``htk trace``: one trace of the embedded platform as a tree, read from its local trace files.

``htk up`` has each service write its spans to ``<var>/traces/<service>.jsonl``
(:class:`htk_runtime.telemetry.JsonLinesSpanExporter`). Every answer of the platform names its
trace in the ``traceresponse`` header, and every log line in ``trace_id``; ``htk trace <id>``
shows where that request went: the gateway, the service that handled it, the outbox, the broker
and each consumer, with the time each step took. ``htk trace`` alone lists the latest traces.
"""

import argparse
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from htk_cli.settings import LauncherSettings

TRACE_ID = re.compile(r"^(?:[0-9a-f]{2}-)?([0-9a-f]{1,32})(?:-[0-9a-f]{16}-[0-9a-f]{2})?$")


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    service: str
    start: datetime
    duration_ms: float
    status: str
    attributes: dict[str, Any]

    @classmethod
    def parse(cls, record: dict[str, Any]) -> "Span":
        return cls(
            trace_id=record["trace_id"],
            span_id=record["span_id"],
            parent_id=record.get("parent_id"),
            name=record["name"],
            service=record.get("service") or "?",
            start=datetime.fromisoformat(record["start"]),
            duration_ms=float(record.get("duration_ms", 0.0)),
            status=record.get("status", "unset"),
            attributes=record.get("attributes") or {},
        )


def load_spans(directory: Path) -> list[Span]:
    """Every span in the trace files; a line cut short by a crash is skipped."""
    spans = []
    for path in sorted(directory.glob("*.jsonl*")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    spans.append(Span.parse(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    continue
    return spans


def trace_id_of(text: str) -> str | None:
    """A trace id, a prefix of one, or a whole ``traceparent``/``traceresponse`` value."""
    match = TRACE_ID.match(text.strip().lower())
    return match.group(1) if match else None


def render(spans: list[Span]) -> str:
    """The spans of one trace as a tree, children in the order they started."""
    if not spans:
        return ""
    ids = {s.span_id for s in spans}
    children: dict[str | None, list[Span]] = defaultdict(list)
    for span in spans:
        # A parent missing from the files (not exported yet, or outside the platform) makes
        # its children roots rather than hiding them.
        children[span.parent_id if span.parent_id in ids else None].append(span)
    for siblings in children.values():
        siblings.sort(key=lambda s: s.start)
    begin = min(s.start for s in spans)
    end = max(s.start.timestamp() * 1000 + s.duration_ms for s in spans)
    services = sorted({s.service for s in spans})
    lines = [
        f"trace {spans[0].trace_id}: {len(spans)} spans, "
        f"{end - begin.timestamp() * 1000:.1f} ms, services: {', '.join(services)}",
        f"{'start':>10} {'took':>10}  {'service':<12} span",
    ]
    width = max(len(s) for s in services)

    def walk(span: Span, prefix: str, last: bool, root: bool) -> None:
        offset = (span.start - begin).total_seconds() * 1000
        branch = "" if root else ("└─ " if last else "├─ ")
        flag = "  ERROR" if span.status == "error" else ""
        lines.append(
            f"{offset:>8.1f}ms {span.duration_ms:>8.1f}ms  {span.service:<{max(width, 12)}} "
            f"{prefix}{branch}{span.name}{flag}"
        )
        below = children.get(span.span_id, [])
        inner = prefix if root else prefix + ("   " if last else "│  ")
        for i, child in enumerate(below):
            walk(child, inner, i == len(below) - 1, False)

    for root_span in children[None]:
        walk(root_span, "", True, True)
    return "\n".join(lines)


def latest(spans: list[Span], count: int) -> str:
    """One line per trace, newest first: when, how long, how many spans, what started it."""
    traces: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        traces[span.trace_id].append(span)
    rows = []
    for trace_id, members in traces.items():
        ids = {s.span_id for s in members}
        roots = [s for s in members if s.parent_id not in ids] or members
        first = min(roots, key=lambda s: s.start)
        rows.append((first.start, trace_id, len(members), first))
    rows.sort(key=lambda r: r[0], reverse=True)
    return "\n".join(
        f"{start:%Y-%m-%d %H:%M:%S}  {trace_id}  {n:>4} spans  {root.service}: {root.name}"
        for start, trace_id, n, root in rows[:count]
    )


def register(commands: Any) -> None:
    parser = commands.add_parser("trace", help="print a trace of the embedded platform as a tree")
    parser.add_argument(
        "trace_id",
        nargs="?",
        help="trace id (or a prefix, or a traceparent/traceresponse value); none: list the latest",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder of the trace files (default: <HTK_VAR_DIR>/traces)",
    )
    parser.add_argument("--last", type=int, default=20, help="how many traces to list")


def run(args: argparse.Namespace) -> int:
    directory = args.dir or LauncherSettings().var_dir / "traces"
    spans = load_spans(directory)
    if not spans:
        print(f"No spans in {directory}/ (htk up writes them there).")
        return 1
    if args.trace_id is None:
        print(latest(spans, args.last))
        return 0
    wanted = trace_id_of(args.trace_id)
    if wanted is None:
        print(f"{args.trace_id!r} is not a trace id (32 hexadecimal digits).")
        return 2
    matching = sorted({s.trace_id for s in spans if s.trace_id.startswith(wanted)})
    if not matching:
        print(f"No trace {wanted} in {directory}/.")
        return 1
    if len(matching) > 1:
        print(f"{wanted} matches {len(matching)} traces; give more digits:")
        print("\n".join(matching[:20]))
        return 2
    print(render([s for s in spans if s.trace_id == matching[0]]))
    return 0
