"""The search API's facets: query parameters the gateway passes on and the search service
filters and counts by."""

FACETS = (
    "priority",
    "sub_goal",
    "measure",
    "county",
    "municipality",
    "organisation_type",
    "organisation",
    "target_group",
    "inequality_dimension",
    "state",
    "year",
    "language",
    # "yes" for an action the coordinators highlight as a good practice (community.practices.v1).
    "good_practice",
)
