"""What the plan's routes answer: versions, the tree of one version, and changes to it."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from htk_contracts.catalogue import PlanNode


class PlanCounts(BaseModel):
    priority: int
    sub_goal: int
    measure: int


class PlanSummary(BaseModel):
    """One plan version without its nodes."""

    version: int
    created_at: datetime
    created_by: str
    change: str = Field(description="What changed, e.g. 'import example-plan.csv'")
    reason: str = ""
    example: bool = Field(description="True when any node is example data")
    notice: str | None = Field(default=None, description="Said when the plan holds examples")
    counts: PlanCounts | None = Field(default=None, description="Absent in the version list")


class PlanTreeNode(PlanNode):
    children: list["PlanTreeNode"] = Field(default_factory=list)


class PlanTree(PlanSummary):
    """One plan version as a tree: priorities, their sub-goals, and their measures."""

    current: bool = Field(description="Whether this is the current version")
    priorities: list[PlanTreeNode]


class PlanImportCheck(BaseModel):
    """What a plan file would change (``dry_run``); nothing is stored."""

    dry_run: Literal[True]
    filename: str
    counts: PlanCounts
    changes: dict[str, list[str]] = Field(description="Codes added, renamed, retired, merged")
    errors: list[dict[str, str]] = []


class PlanChange(BaseModel):
    """The new plan version a change made, and the node it concerned."""

    plan: PlanSummary
    node: PlanNode


class PlanNodeAnswer(BaseModel):
    version: int
    example: bool
    node: PlanNode


class ReplayAnswer(BaseModel):
    """How many events of each kind were queued again in the outbox."""

    replayed: dict[str, int]
