"""Export the event schemas as JSON Schema files (``python -m htk_contracts.schemas [DIR]``).

The exported files are committed; a test fails when the models drift from them, and checks that a
change stays backward compatible (no removed field, no new required field).
"""

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from htk_contracts import (
    actions,
    catalogue,
    catalogue_requests,
    community,
    community_news,
    partnerships,
)
from htk_contracts.envelope import Envelope

EVENT_SCHEMAS: dict[str, Any] = {
    actions.ACTION_DRAFTED: Envelope[actions.ActionDrafted],
    actions.ACTION_SUBMITTED: Envelope[actions.ActionSubmitted],
    actions.ACTION_RETURNED: Envelope[actions.ActionReturned],
    actions.ACTION_PUBLISHED: Envelope[actions.ActionPublished],
    actions.ACTION_UPDATED: Envelope[actions.ActionUpdated],
    actions.ACTION_WITHDRAWN: Envelope[actions.ActionWithdrawn],
    partnerships.PARTNERSHIP_REQUESTED: Envelope[partnerships.PartnershipRequested],
    partnerships.PARTNERSHIP_DECIDED: Envelope[partnerships.PartnershipDecided],
    catalogue.PLAN_VERSION_PUBLISHED: Envelope[catalogue.PlanVersion],
    catalogue.ORGANISATION_CHANGED: Envelope[catalogue.Organisation],
    catalogue.MEMBER_CHANGED: Envelope[catalogue.Member],
    catalogue.MEMBER_ERASED: Envelope[catalogue.MemberErased],
    catalogue_requests.ORGANISATION_PROPOSED: Envelope[catalogue_requests.OrganisationProposed],
    catalogue_requests.ORGANISATION_DECIDED: Envelope[catalogue_requests.OrganisationDecided],
    catalogue_requests.MEMBERSHIP_REQUESTED: Envelope[catalogue_requests.MembershipRequested],
    catalogue_requests.MEMBERSHIP_DECIDED: Envelope[catalogue_requests.MembershipDecided],
    community.MESSAGE_POSTED: Envelope[community.MessagePosted],
    community.MESSAGE_EDITED: Envelope[community.MessageEdited],
    community.MESSAGE_REMOVED: Envelope[community.MessageRemoved],
    community.MESSAGE_REPORTED: Envelope[community.MessageReported],
    community.TOPIC_CHANGED: Envelope[community.TopicChanged],
    community_news.NEWS_PUBLISHED: Envelope[community_news.NewsItem],
    community_news.NEWS_UPDATED: Envelope[community_news.NewsItem],
    community_news.NEWS_WITHDRAWN: Envelope[community_news.NewsItem],
    community_news.EVENT_ANNOUNCED: Envelope[community_news.CommunityEvent],
    community_news.EVENT_UPDATED: Envelope[community_news.CommunityEvent],
    community_news.EVENT_CANCELLED: Envelope[community_news.CommunityEvent],
    community_news.PRACTICE_SHARED: Envelope[community_news.PracticeShared],
    community_news.PRACTICE_HIGHLIGHTED: Envelope[community_news.PracticeHighlighted],
}

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def json_schema(event_type: str) -> dict[str, Any]:
    schema = TypeAdapter(EVENT_SCHEMAS[event_type]).json_schema()
    schema["$id"] = f"urn:htk:event:{event_type}"
    schema["title"] = event_type
    return schema


def export(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type in EVENT_SCHEMAS:
        path = directory / f"{event_type}.json"
        path.write_text(json.dumps(json_schema(event_type), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR
    for p in export(target):
        print(p)
