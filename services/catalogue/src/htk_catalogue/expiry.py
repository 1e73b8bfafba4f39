"""Registrations nobody confirmed lapse, so an address or an organisation name cannot be held
by someone who never followed the link mailed to them.

After ``catalogue_registration_ttl_hours`` (7 days by default) an unconfirmed member is erased
(their address is free to register again, and every read copy drops them through the erasure
event) and the organisation they proposed lapses: it is rejected with the decision ``expired``
and its name and Business ID are free. Members created before confirmation existed, and those
made by ``htk admin create``, count as confirmed.
"""

import logging
from datetime import datetime, timedelta

from htk_catalogue.member_store import MemberStore
from htk_catalogue.organisation_store import OrganisationStore
from htk_catalogue.transactions import now
from htk_contracts.catalogue import OrganisationStatus
from htk_runtime.errors import DomainError

log = logging.getLogger(__name__)

BY = "expiry"


async def expire_registrations(
    members: MemberStore,
    organisations: OrganisationStore,
    ttl: timedelta,
    at: datetime | None = None,
) -> int:
    """Erase the registrations older than ``ttl`` that were never confirmed; how many."""
    cutoff = (at or now()) - ttl
    lapsed = await members.members.find(
        {"confirmed": False, "created_at": {"$lt": cutoff}, "erased": False}, {"_id": 1}
    ).to_list()
    for doc in lapsed:
        member_id = doc["_id"]
        proposed = await organisations.organisations.find(
            {"proposed_by": member_id, "status": OrganisationStatus.PROPOSED.value}, {"_id": 1}
        ).to_list()
        for org in proposed:
            try:
                await organisations.decide(
                    org["_id"],
                    OrganisationStatus.REJECTED,
                    BY,
                    reason="the proposer never confirmed their email address",
                    expired=True,
                )
            except DomainError:
                pass  # decided meanwhile by a coordinator
        await members.erase(member_id)
    if lapsed:
        log.info("unconfirmed registrations expired", extra={"count": len(lapsed)})
    return len(lapsed)
