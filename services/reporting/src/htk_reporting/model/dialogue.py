"""Where dialogue is active: the messages of ``community.discussion.v1`` counted as threads and
messages per sub-goal, per wellbeing services county and per month. Pure rules, no I/O.

A message on an action counts for the sub-goals and counties the action counts for (its codes
under the plan in force, its scopes: the counties it names and those of its municipalities); a
message on a sub-goal or measure for that sub-goal; a message in an open topic for neither, only
in the totals and months. A removed message (deleted by its author, hidden by a coordinator) no
longer counts: the figures say what readers can see. A thread counts where it has a message.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from htk_contracts.community import MessagePosted, MessageRemoved, SubjectKind
from htk_reporting.model.plan import PlanView, code_key, raw_codes

HELSINKI = ZoneInfo("Europe/Helsinki")
SUB_GOAL = "sub_goal"
COUNTY_SCOPE = "county:"


class DialogueRow(BaseModel):
    key: str = Field(description="Sub-goal code, county code or month (YYYY-MM, Finnish time)")
    threads: int
    messages: int


class DialogueFigures(BaseModel):
    """Threads and messages of the public and members-only discussions, counted as above."""

    total: DialogueRow
    sub_goals: list[DialogueRow] = Field(description="Plan order; only sub-goals with messages")
    counties: list[DialogueRow] = Field(description="County code order; only with messages")
    months: list[DialogueRow] = Field(description="Every month from the first message to the last")


def month_in_finland(at: datetime) -> str:
    local = at.astimezone(HELSINKI)
    return f"{local.year:04d}-{local.month:02d}"


def posted_record(event: MessagePosted) -> dict[str, Any]:
    """What reporting keeps of a posted message: where it was and when, no author, no text."""
    return {
        "_id": event.message_id,
        "thread_id": event.thread_id,
        "subject_kind": event.subject.kind.value,
        "subject_ref": event.subject.ref,
        "month": month_in_finland(event.at),
    }


def removed_record(event: MessageRemoved) -> dict[str, Any]:
    """The same fields, for a removal heard before its message (replays may come in any order)."""
    return {
        "thread_id": event.thread_id,
        "subject_kind": event.subject.kind.value,
        "subject_ref": event.subject.ref,
        "month": month_in_finland(event.at),
    }


def _sub_goals(codes: Iterable[str], plan: PlanView) -> set[str]:
    counted = plan.count_nodes(codes) if plan.nodes else set(codes)
    return {
        c
        for c in counted
        if (plan.nodes[c].level == SUB_GOAL if c in plan.nodes else c.count(".") == 1)
    }


def places_of(
    message: Mapping[str, Any], actions: Mapping[str, Mapping[str, Any]], plan: PlanView
) -> tuple[set[str], set[str]]:
    """The sub-goals and counties a message counts for. ``actions``: action id -> its
    ``codes`` and ``scopes`` as reporting counts it (an unpublished action: absent)."""
    kind, ref = message["subject_kind"], message["subject_ref"]
    if kind == SubjectKind.ACTION:
        action = actions.get(ref)
        if action is None:
            return set(), set()
        counties = {
            s.removeprefix(COUNTY_SCOPE) for s in action["scopes"] if s.startswith(COUNTY_SCOPE)
        }
        return _sub_goals(action["codes"], plan), counties
    if kind in (SubjectKind.SUB_GOAL, SubjectKind.MEASURE):
        return _sub_goals(raw_codes([ref], [], []), plan), set()
    return set(), set()


def _rows(
    threads: Mapping[str, set[str]], messages: Mapping[str, int], keys: Iterable[str]
) -> list[DialogueRow]:
    return [DialogueRow(key=k, threads=len(threads[k]), messages=messages[k]) for k in keys]


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def count(
    messages: Iterable[Mapping[str, Any]],
    actions: Mapping[str, Mapping[str, Any]],
    plan: PlanView,
) -> DialogueFigures:
    """The figures of the visible messages (``removed`` false)."""
    threads: dict[str, dict[str, set[str]]] = {
        k: defaultdict(set) for k in ("total", "sub_goal", "county", "month")
    }
    counts: dict[str, dict[str, int]] = {
        k: defaultdict(int) for k in ("total", "sub_goal", "county", "month")
    }

    def add(kind: str, key: str, thread: str) -> None:
        threads[kind][key].add(thread)
        counts[kind][key] += 1

    for message in messages:
        if message.get("removed"):
            continue
        thread = message["thread_id"]
        add("total", "*", thread)
        add("month", message["month"], thread)
        sub_goals, counties = places_of(message, actions, plan)
        for code in sub_goals:
            add("sub_goal", code, thread)
        for county in counties:
            add("county", county, thread)
    months = sorted(counts["month"])
    return DialogueFigures(
        total=DialogueRow(
            key="*", threads=len(threads["total"]["*"]), messages=counts["total"]["*"]
        ),
        sub_goals=_rows(
            threads["sub_goal"], counts["sub_goal"], sorted(counts["sub_goal"], key=code_key)
        ),
        counties=_rows(threads["county"], counts["county"], sorted(counts["county"])),
        months=_rows(
            threads["month"],
            counts["month"],
            _months_between(months[0], months[-1]) if months else [],
        ),
    )
