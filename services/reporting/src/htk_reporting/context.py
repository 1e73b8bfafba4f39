"""What request handlers need, looked up from the running service."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo.asynchronous.database import AsyncDatabase

from htk_reporting import store
from htk_reporting.counting.past import PastFigures
from htk_reporting.counting.projection import Projection
from htk_reporting.model.contribution import ALL, NATIONAL
from htk_reporting.model.geography import Geography
from htk_reporting.model.plan import RETIRED, WHOLE_PLAN, PlanView
from htk_reporting.settings import ReportingSettings
from htk_reporting.store import aggregates
from htk_reporting.views.figures import Docs
from htk_runtime.errors import DomainError

SCOPE = re.compile(r"^(all|national|county:[0-9]{2}|municipality:[0-9]{3})$")


@dataclass
class Reporting:
    db: AsyncDatabase[dict[str, Any]]
    projection: Projection
    settings: ReportingSettings
    past: PastFigures

    @property
    def geo(self) -> Geography:
        return self.projection.geo

    @property
    def plan(self) -> PlanView:
        return self.projection.plan

    def now(self) -> datetime:
        return datetime.now(UTC)

    def check_scope(self, scope: str) -> str:
        if not SCOPE.match(scope):
            raise DomainError(
                422,
                "scope must be all, national, county:<2 digits> or municipality:<3 digits>",
                field="scope",
            )
        kind, _, code = scope.partition(":")
        if kind == "county" and code not in self.geo.county_names:
            raise DomainError(422, f"No wellbeing services county {code}", field="scope")
        if kind == "municipality" and code not in self.geo.municipality_names:
            raise DomainError(422, f"No municipality {code}", field="scope")
        return scope

    def check_node(self, node: str) -> str:
        if node in (WHOLE_PLAN, RETIRED) or node in self.plan.nodes or not self.plan.nodes:
            return node
        raise DomainError(422, f"The plan has no node {node!r}", field="node")

    async def live(self) -> store.Generation:
        """The generation of the aggregates to read; a read that needs the cells and the series
        takes both names from this one answer."""
        return await self.projection.aggregates.current()

    async def docs(self, *, scope: str | None = None, node: str | None = None) -> Docs:
        return await aggregates.cells(self.db, await self.live(), scope=scope, node=node)

    async def report_docs(self) -> Docs:
        """Cells the yearly report reads: every node nationwide, the whole plan by place."""
        g = await self.live()  # both halves from one generation
        docs = await aggregates.cells(self.db, g, scope=ALL)
        docs.update(await aggregates.cells(self.db, g, node=WHOLE_PLAN))
        return docs

    def meta(self, computed_at: datetime) -> dict[str, Any]:
        return {
            "plan_version": self.plan.version,
            "computed_at": computed_at.isoformat(),
            "licence": self.settings.reporting_licence,
        }


def _reporting(request: Request) -> Reporting:
    reporting: Reporting = request.app.state.service.ctx().state["reporting"]
    return reporting


Ctx = Annotated[Reporting, Depends(_reporting)]

__all__ = ["ALL", "NATIONAL", "Ctx", "Reporting"]
