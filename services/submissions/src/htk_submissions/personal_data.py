"""What submissions holds about one person, for them to download, and forgetting them.

Actions belong to organisations, not people: an erased member's actions stay, under their
organisation. What points at the person goes: they stop being the contact of any action (in the
working copy and in every stored version). The ids in the history ("who took this step") stay,
since the steps happened, but after the erasure they lead to no name or address anywhere.
"""

from typing import Any

from fastapi import APIRouter, Request
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from htk_runtime.auth import CurrentUser
from htk_runtime.errors import error_answers
from htk_submissions.schemas import PersonalDataOut
from htk_submissions.store import ACTIONS, VERSIONS, ReminderOptOuts

CONTACT = "content.contact_member_id"


class PersonalData:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.actions = db[ACTIONS]
        self.versions = db[VERSIONS]

    async def ensure_indexes(self) -> None:
        await self.actions.create_index([(CONTACT, ASCENDING)], sparse=True)
        await self.actions.create_index([("created_by", ASCENDING)])
        await self.versions.create_index([("by", ASCENDING)])

    async def export(self, member_id: str) -> dict[str, Any]:
        fields = {"organisation_id": 1, "status": 1, "content.title": 1, "created_at": 1}

        def brief(doc: dict[str, Any]) -> dict[str, Any]:
            return {
                "id": doc["_id"],
                "title": (doc.get("content") or {}).get("title"),
                "organisation_id": doc.get("organisation_id"),
                "status": doc.get("status"),
                "created_at": doc.get("created_at"),
            }

        created = await self.actions.find({"created_by": member_id}, fields).to_list()
        contact = await self.actions.find({CONTACT: member_id}, fields).to_list()
        steps = (
            await self.versions.find(
                {"by": member_id}, {"action_id": 1, "version": 1, "step": 1, "at": 1, "comment": 1}
            )
            .sort("at", 1)
            .to_list()
        )
        return {
            "actions_created": [brief(d) for d in created],
            "contact_of": [brief(d) for d in contact],
            "steps": [
                {k: s.get(k) for k in ("action_id", "version", "step", "at", "comment")}
                for s in steps
            ],
        }

    async def forget(self, member_id: str) -> int:
        """The member is no longer anyone's contact; the number of actions that changed."""
        changed = await self.actions.update_many({CONTACT: member_id}, {"$set": {CONTACT: None}})
        await self.versions.update_many({CONTACT: member_id}, {"$set": {CONTACT: None}})
        await ReminderOptOuts(self.actions.database).set(member_id, stopped=False)
        return changed.modified_count


router = APIRouter(tags=["personal data"])


@router.get("/members/me/data", response_model=PersonalDataOut, responses=error_answers(401))
async def my_data(user: CurrentUser, request: Request) -> dict[str, Any]:
    """What submissions holds about you: actions you wrote or are the contact of, and the
    workflow steps you took."""
    data: PersonalData = request.app.state.service.ctx().state["personal_data"]
    return await data.export(user.member_id)
