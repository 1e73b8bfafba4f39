"""Topic names. Keys are aggregate ids so that one aggregate's events stay ordered."""

from enum import StrEnum


class Topic(StrEnum):
    CATALOGUE_PLAN = "catalogue.plan.v1"
    CATALOGUE_ORGANISATIONS = "catalogue.organisations.v1"
    CATALOGUE_MEMBERS = "catalogue.members.v1"
    # Requests and decisions (not state): who must be told what. See catalogue_requests.py.
    CATALOGUE_REQUESTS = "catalogue.requests.v1"
    SUBMISSIONS_ACTIONS = "submissions.actions.v1"
    # Requests to join an action as a partner and their decisions (for notifications).
    SUBMISSIONS_PARTNERSHIPS = "submissions.partnerships.v1"
    # Discussion messages and open topics (community); see community.py.
    COMMUNITY_DISCUSSION = "community.discussion.v1"
    # The community's news and events (whole public state per key). See community_news.py.
    COMMUNITY_NEWS = "community.news.v1"
    COMMUNITY_EVENTS = "community.events.v1"
    # Organisations' experiences of actions and the coordinators' good-practice highlights.
    COMMUNITY_PRACTICES = "community.practices.v1"


# Compacted state topics: the latest event per key is the aggregate's current state.
COMPACTED_TOPICS = frozenset(
    {Topic.CATALOGUE_PLAN, Topic.CATALOGUE_ORGANISATIONS, Topic.CATALOGUE_MEMBERS}
)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlt"
