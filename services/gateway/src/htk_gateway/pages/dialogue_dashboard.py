"""Where dialogue is active, on the coordinators' dashboard: threads and messages per sub-goal and
county next to their published actions, and per month as a chart with its table. The figures
come from the reporting service (``GET /dialogue``); this module names them in the reader's
language and lays out the chart (server-side SVG, as the dashboard's other charts)."""

from typing import Any

from fastapi import Request

from htk_gateway.web.calls import read
from htk_gateway.web.viewer import Viewer

DIALOGUE_KEYS = ("threads", "messages")
MONTHS_SHOWN = 24


def _with_actions(
    found: list[dict[str, Any]], coverage: list[dict[str, Any]], label: Any
) -> list[dict[str, Any]]:
    actions = {r["code"]: r for r in coverage}
    return [
        {
            **row,
            "label": label(row["key"], actions.get(row["key"])),
            "actions": (actions.get(row["key"]) or {}).get("actions", 0),
        }
        for row in found
    ]


def dialogue_chart(
    rows: list[dict[str, Any]], width: int = 640, height: int = 240
) -> dict[str, Any]:
    """Geometry of threads and messages per month: each line with its own dash pattern and
    marker shape, so colour never carries the meaning alone."""
    left, right, top, bottom = 48, 12, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *(int(r[k]) for r in rows for k in DIALOGUE_KEYS)])
    step = plot_w / max(len(rows) - 1, 1)

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(value: int) -> float:
        return round(top + plot_h - value / peak * plot_h, 1)

    lines = [
        {
            "key": key,
            "points": " ".join(f"{x(i)},{y(int(r[key]))}" for i, r in enumerate(rows)),
            "markers": [(x(i), y(int(r[key]))) for i, r in enumerate(rows)],
        }
        for key in DIALOGUE_KEYS
    ]
    labels = sorted({0, len(rows) // 2, len(rows) - 1}) if rows else []
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "ticks": [{"value": v, "y": y(v)} for v in sorted({0, peak // 2, peak})],
        "periods": [{"label": rows[i]["key"], "x": x(i)} for i in labels],
        "left": left,
        "bottom": top + plot_h,
        "right": width - right,
    }


async def dialogue_context(request: Request, v: Viewer, coverage: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's dialogue section; ``coverage``: the dashboard's coverage context (its
    plan and county rows give the actions beside the dialogue)."""
    found = await read(request, v.user, "reporting", "/dialogue")
    if not isinstance(found, dict):
        return {"dialogue": None}
    t = v.t

    def sub_goal(code: str, row: dict[str, Any] | None) -> str:
        return str(row["label"]) if row else code

    def county(code: str, row: dict[str, Any] | None) -> str:
        return str(row["label"]) if row else code

    months = found.get("months", [])[-MONTHS_SHOWN:]
    return {
        "dialogue": {
            "total": found["total"],
            "sub_goals": _with_actions(found["sub_goals"], coverage.get("plan_rows", []), sub_goal),
            "counties": _with_actions(found["counties"], coverage.get("county_rows", []), county),
            "months": months,
            "chart": dialogue_chart(months),
            "caption": t("dialogue.chart"),
        }
    }
