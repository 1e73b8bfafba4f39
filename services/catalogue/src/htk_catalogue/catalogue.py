"""The catalogue's parts, built once for the service and for the ``htk`` commands alike."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo.asynchronous.database import AsyncDatabase

from htk_catalogue.events import Topics
from htk_catalogue.member_store import MemberStore
from htk_catalogue.organisation_store import OrganisationStore
from htk_catalogue.plan_store import PlanStore
from htk_catalogue.replay import replay
from htk_catalogue.settings import CatalogueSettings
from htk_catalogue.transactions import Writer
from htk_runtime.geography import Geography, load_geography
from htk_runtime.outbox import Outbox, ensure_outbox_indexes


@dataclass(frozen=True)
class Catalogue:
    writer: Writer
    geography: Geography
    plan: PlanStore
    organisations: OrganisationStore
    members: MemberStore

    @classmethod
    async def open(
        cls, db: AsyncDatabase[dict[str, Any]], settings: CatalogueSettings
    ) -> "Catalogue":
        await ensure_outbox_indexes(db)
        writer = Writer(db, Outbox(db), Topics.with_prefix(settings.catalogue_topic_prefix))
        geography = load_geography(settings.catalogue_data_dir.resolve() / "geography")
        members = MemberStore(writer)
        organisations = OrganisationStore(writer, members, geography)
        await members.create_indexes()
        await organisations.create_indexes()
        return cls(writer, geography, PlanStore(writer), organisations, members)

    async def replay(self) -> dict[str, int]:
        return await replay(self.writer, self.plan, self.organisations, self.members)


def _catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.service.ctx().state["catalogue"]
    return catalogue


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
