"""Plan versions in MongoDB. A change never edits a version: it writes the next one.

Version ``n`` is the document with ``_id`` n, so two coordinators changing the plan at once
cannot both write version n+1: the second one re-reads the new current version and applies its
change to that (or is refused if the change no longer fits).
"""

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from htk_catalogue.events import plan_published
from htk_catalogue.plan_file import parse_plan
from htk_catalogue.plan_tree import PlanRuleError, tree_problems
from htk_catalogue.transactions import Writer, now
from htk_contracts.catalogue import PlanNode, PlanNodeState, PlanVersion
from htk_runtime.keyset import paged

PLAN_VERSIONS = "plan_versions"
ATTEMPTS = 5
# The version list runs newest first; a version number is unique.
NEWEST_FIRST = (("_id", DESCENDING),)

Change = Callable[[list[PlanNode], set[str]], list[PlanNode]]


def to_contract(doc: dict[str, Any]) -> PlanVersion:
    return PlanVersion(
        version=doc["_id"],
        created_at=doc["created_at"],
        change=doc["change"],
        example=doc["example"],
        nodes=[PlanNode.model_validate(n) for n in doc["nodes"]],
    )


class PlanStore:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.versions = writer.db[PLAN_VERSIONS]

    async def current(self) -> dict[str, Any] | None:
        return await self.versions.find_one({}, sort=[("_id", DESCENDING)])

    async def version(self, number: int) -> dict[str, Any] | None:
        return await self.versions.find_one({"_id": number})

    async def history(self, limit: int, position: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Up to ``limit + 1`` versions (without their nodes) after ``position``, newest first."""
        return (
            await self.versions.find(paged({}, position, NEWEST_FIRST), {"nodes": 0})
            .sort(list(NEWEST_FIRST))
            .limit(limit + 1)
            .to_list()
        )

    async def all_versions(self) -> list[dict[str, Any]]:
        return await self.versions.find({}).sort("_id", 1).to_list()

    async def used_codes(self) -> set[str]:
        codes: set[str] = set()
        async for doc in self.versions.find({}, {"nodes.code": 1}):
            codes.update(n["code"] for n in doc["nodes"])
        return codes

    async def _write(
        self, number: int, nodes: list[PlanNode], change: str, by: str, reason: str
    ) -> dict[str, Any]:
        doc = {
            "_id": number,
            "created_at": now(),
            "created_by": by,
            "change": change,
            "reason": reason,
            # Example data in use makes the whole version an example; retired examples do not.
            "example": any(n.example and n.state == PlanNodeState.ACTIVE for n in nodes),
            "nodes": [n.model_dump(mode="json") for n in nodes],
        }

        async def write(session: AsyncClientSession) -> None:
            await self.versions.insert_one(doc, session=session)
            await self.writer.outbox.add(
                session, topic=self.writer.topics.plan, envelope=plan_published(to_contract(doc))
            )

        await self.writer.transaction(write)
        return doc

    async def change(
        self, apply: Change, description: str, by: str, reason: str = ""
    ) -> dict[str, Any]:
        """Apply ``apply`` to the current nodes and store the result as the next version, with
        who made it and why (``reason``, the coordinator's own words)."""
        for _ in range(ATTEMPTS):
            current = await self.current()
            nodes = [PlanNode.model_validate(n) for n in current["nodes"]] if current else []
            changed = apply(nodes, await self.used_codes())
            problems = tree_problems(changed)
            if problems:
                first = problems[0]
                raise PlanRuleError(
                    first.field, first.message, error=first.error, params=first.params
                )
            try:
                return await self._write(
                    (current["_id"] if current else 0) + 1, changed, description, by, reason
                )
            except DuplicateKeyError:
                continue  # someone else wrote that version first: apply to theirs
        raise PlanRuleError("plan", "the plan is changing too fast; try again", status=409)

    async def import_file(
        self, data: bytes, filename: str, by: str, reason: str = ""
    ) -> dict[str, Any]:
        """A new version with exactly the file's nodes; raises PlanFileRefused, changing nothing."""
        nodes = parse_plan(data)
        return await self.change(lambda _nodes, _used: nodes, f"import {filename}", by, reason)

    async def seed(self, path: Path) -> bool:
        """Import ``path`` as the first version when there is no plan yet."""
        if await self.current() is not None:
            return False
        data = await asyncio.to_thread(path.read_bytes)
        try:
            await self.import_file(data, path.name, "system")
        except DuplicateKeyError:
            return False
        return True
