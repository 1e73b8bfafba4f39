"""Who may call what: every route of every service and of the gateway, for every role.

The table states, for each route and for the visitor, a member of the owning organisation (A), a
member of another organisation (B), an admin of A and a coordinator, the status the request of
:mod:`tests.security.calls` gets. Denials are 401 (not signed in), 403 (signed in, not allowed)
and 404 (a draft others must not even know of); ``LOGIN`` is a page sending a visitor to sign in;
any other status means the role got past authorisation (a write then fails on its deliberately
empty body or stale version, so nothing shared changes). The routes come from the apps
themselves: a route without a row fails the test until someone decides who may call it.

The services are called directly with signed user tokens; the gateway with real sessions from
login links, and with the CSRF token its pages carry, so that authorisation is what decides.
"""

import pytest

from tests.security.calls import Caller, call_gateway, call_service
from tests.security.routes import routes_of
from tests.stack import ROLES, RunningPlatform

pytestmark = pytest.mark.security

LOGIN = "login"
SAVED = "saved"  # a form that worked: 303 to the page of what it made

# (service, method, path): (visitor, member of A, member of B, admin of A, coordinator)
EXPECTED: dict[tuple[str, str, str], tuple[int | str, ...]] = {
    # catalogue
    ("catalogue", "GET", "/geography/counties"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/geography/counties/{code}"): (404, 404, 404, 404, 404),
    ("catalogue", "GET", "/geography/municipalities"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/geography/municipalities/{code}"): (404, 404, 404, 404, 404),
    ("catalogue", "GET", "/health/live"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/health/ready"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/members"): (401, 403, 403, 403, 200),
    ("catalogue", "GET", "/members/me"): (401, 200, 200, 200, 200),
    ("catalogue", "GET", "/members/me/export"): (401, 200, 200, 200, 200),
    ("catalogue", "GET", "/members/{member_id}"): (401, 403, 403, 403, 200),
    ("catalogue", "GET", "/members/{member_id}/export"): (401, 403, 403, 403, 200),
    ("catalogue", "GET", "/metrics"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/openapi.json"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/organisations"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/organisations/{organisation_id}"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/organisations/{organisation_id}/memberships"): (401, 403, 403, 200, 200),
    ("catalogue", "GET", "/plan"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/plan/nodes/{code}"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/plan/versions"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/plan/versions/{version}"): (200, 200, 200, 200, 200),
    ("catalogue", "GET", "/requests"): (401, 403, 403, 403, 200),
    # Removing an absent member: an allowed role reaches the lookup and gets 404.
    ("catalogue", "DELETE", "/organisations/{organisation_id}/memberships/{member_id}"): (
        401,
        403,
        403,
        404,
        404,
    ),
    ("catalogue", "PATCH", "/members/me"): (401, 200, 200, 200, 200),
    ("catalogue", "PATCH", "/organisations/{organisation_id}"): (401, 403, 403, 200, 200),
    ("catalogue", "PATCH", "/plan/nodes/{code}"): (401, 403, 403, 403, 404),
    ("catalogue", "POST", "/admin/replay"): (401, 403, 403, 403, 200),
    # The gateway's own routes (its service token): no user token opens them.
    ("catalogue", "POST", "/members/claims"): (401, 401, 401, 401, 401),
    # Idempotent: the person confirms their own address (the gateway calls it at sign-in).
    ("catalogue", "POST", "/members/me/confirmation"): (401, 200, 200, 200, 200),
    ("catalogue", "POST", "/members/me/erasure"): (401, 404, 404, 404, 404),
    ("catalogue", "POST", "/members/me/memberships"): (401, 422, 422, 422, 422),
    ("catalogue", "POST", "/members/{member_id}/erasure"): (401, 403, 403, 403, 404),
    ("catalogue", "POST", "/organisations"): (401, 403, 403, 403, 422),
    ("catalogue", "POST", "/organisations/proposals"): (401, 422, 422, 422, 422),
    ("catalogue", "POST", "/organisations/{organisation_id}/decision"): (401, 403, 403, 403, 422),
    ("catalogue", "POST", "/organisations/{organisation_id}/memberships/{member_id}/decision"): (
        401,
        403,
        403,
        404,
        404,
    ),
    ("catalogue", "POST", "/plan/imports"): (401, 403, 403, 403, 422),
    ("catalogue", "POST", "/plan/nodes"): (401, 403, 403, 403, 422),
    ("catalogue", "POST", "/plan/nodes/{code}/merge"): (401, 403, 403, 403, 422),
    ("catalogue", "POST", "/plan/nodes/{code}/retire"): (401, 403, 403, 403, 404),
    ("catalogue", "POST", "/registrations"): (401, 401, 401, 401, 401),
    ("catalogue", "PUT", "/members/{member_id}/coordinator"): (401, 403, 403, 403, 422),
    ("catalogue", "PUT", "/organisations/{organisation_id}/memberships/{member_id}/role"): (
        401,
        403,
        403,
        404,
        404,
    ),
    # submissions
    ("submissions", "GET", "/actions"): (401, 200, 200, 200, 200),
    ("submissions", "GET", "/actions/{action_id}"): (404, 200, 404, 200, 200),
    ("submissions", "GET", "/actions/{action_id}/diff"): (401, 200, 403, 200, 200),
    ("submissions", "GET", "/actions/{action_id}/history"): (401, 200, 403, 200, 200),
    ("submissions", "GET", "/actions/{action_id}/possible-duplicates"): (401, 200, 403, 200, 200),
    ("submissions", "GET", "/health/live"): (200, 200, 200, 200, 200),
    ("submissions", "GET", "/health/ready"): (200, 200, 200, 200, 200),
    ("submissions", "GET", "/imports/template.{kind}"): (200, 200, 200, 200, 200),
    ("submissions", "GET", "/metrics"): (200, 200, 200, 200, 200),
    ("submissions", "GET", "/openapi.json"): (200, 200, 200, 200, 200),
    ("submissions", "POST", "/actions"): (401, 201, 403, 201, 201),
    ("submissions", "POST", "/actions/{action_id}/confirm-by-link"): (422, 422, 422, 422, 422),
    # A reminder mail's "stop these reminders" link: the signature is the permission.
    ("submissions", "POST", "/reminders/stop"): (422, 422, 422, 422, 422),
    ("submissions", "POST", "/actions/{action_id}/partners"): (401, 403, 404, 403, 404),
    # Only the owner's admins (and coordinators) decide on partners.
    ("submissions", "POST", "/actions/{action_id}/partners/{organisation_id}/{decision}"): (
        401,
        403,
        403,
        412,
        412,
    ),
    ("submissions", "POST", "/actions/{action_id}/{step}"): (401, 412, 403, 412, 412),
    ("submissions", "POST", "/imports"): (401, 403, 403, 403, 422),
    ("submissions", "POST", "/reminders/run"): (401, 403, 403, 403, 200),
    ("submissions", "GET", "/members/me/data"): (401, 200, 200, 200, 200),
    ("submissions", "PUT", "/actions/{action_id}"): (401, 412, 403, 412, 412),
    # community
    ("community", "DELETE", "/discussions/messages/{message_id}"): (401, 404, 404, 404, 404),
    ("community", "DELETE", "/discussions/threads/{thread_id}/follow"): (401, 404, 404, 404, 404),
    ("community", "DELETE", "/discussions/{kind}/{ref}/follow"): (401, 200, 200, 200, 200),
    ("community", "GET", "/discussions/messages/{message_id}"): (404, 404, 404, 404, 404),
    # For the gateway's notifications (it reads as a coordinator).
    ("community", "GET", "/discussions/messages/{message_id}/notice"): (401, 403, 403, 403, 404),
    ("community", "GET", "/discussions/reports"): (401, 403, 403, 403, 200),
    ("community", "GET", "/discussions/topics"): (200, 200, 200, 200, 200),
    ("community", "GET", "/discussions/{kind}/{ref}"): (200, 200, 200, 200, 200),
    ("community", "GET", "/discussions/{kind}/{ref}/threads"): (200, 200, 200, 200, 200),
    ("community", "GET", "/health/live"): (200, 200, 200, 200, 200),
    ("community", "GET", "/health/ready"): (200, 200, 200, 200, 200),
    ("community", "GET", "/metrics"): (200, 200, 200, 200, 200),
    ("community", "GET", "/openapi.json"): (200, 200, 200, 200, 200),
    ("community", "POST", "/discussions/messages/{message_id}/hide"): (401, 403, 403, 403, 422),
    ("community", "POST", "/discussions/messages/{message_id}/reports"): (401, 422, 422, 422, 422),
    ("community", "POST", "/discussions/reports/{report_id}/dismiss"): (401, 403, 403, 403, 404),
    ("community", "POST", "/discussions/threads/{thread_id}/replies"): (401, 422, 422, 422, 422),
    ("community", "POST", "/discussions/topics"): (401, 403, 403, 403, 422),
    ("community", "POST", "/discussions/{kind}/{ref}/threads"): (401, 422, 422, 422, 422),
    ("community", "PUT", "/discussions/messages/{message_id}"): (401, 422, 422, 422, 422),
    ("community", "PUT", "/discussions/threads/{thread_id}/follow"): (401, 404, 404, 404, 404),
    ("community", "PUT", "/discussions/{kind}/{ref}/follow"): (401, 200, 200, 200, 200),
    # search
    ("search", "GET", "/actions/{action_id}/similar"): (404, 404, 404, 404, 404),
    ("search", "GET", "/health/live"): (200, 200, 200, 200, 200),
    ("search", "GET", "/health/ready"): (200, 200, 200, 200, 200),
    ("search", "GET", "/metrics"): (200, 200, 200, 200, 200),
    ("search", "GET", "/openapi.json"): (200, 200, 200, 200, 200),
    ("search", "GET", "/search"): (200, 200, 200, 200, 200),
    ("search", "GET", "/search/community"): (200, 200, 200, 200, 200),
    ("search", "GET", "/suggest"): (200, 200, 200, 200, 200),
    ("search", "POST", "/similar"): (422, 422, 422, 422, 422),
    # reporting
    ("reporting", "GET", "/coverage"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/coverage/actions"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/coverage/at"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/coverage/freshness"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/coverage/needs-push"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/coverage/pipeline"): (401, 403, 403, 403, 200),
    ("reporting", "GET", "/dialogue"): (401, 403, 403, 403, 200),
    ("reporting", "GET", "/coverage/places"): (200, 200, 200, 200, 200),
    # places and indicators: public figures; linking an indicator to sub-goals is for
    # coordinators (an empty body: 422 once allowed). Codes in the matrix are not places: 404.
    ("reporting", "GET", "/places"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/places/map"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/places/finland"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/places/county/{code}"): (404, 404, 404, 404, 404),
    ("reporting", "GET", "/places/municipality/{code}"): (404, 404, 404, 404, 404),
    ("reporting", "GET", "/places/county/{code}/report"): (404, 404, 404, 404, 404),
    ("reporting", "GET", "/indicators"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/indicators/need"): (422, 422, 422, 422, 422),
    ("reporting", "PUT", "/indicators/{indicator}/sub-goals"): (401, 403, 403, 403, 422),
    ("reporting", "GET", "/coverage/series"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/coverage/stream"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/exports"): (401, 403, 403, 403, 200),
    ("reporting", "GET", "/exports/{table}.{fmt}"): (401, 403, 403, 403, 200),
    ("reporting", "GET", "/health/live"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/health/ready"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/metrics"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/open-data"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/open-data/actions.json"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/open-data/{table}.{fmt}"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/openapi.json"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/reports/yearly/{year}"): (200, 200, 200, 200, 200),
    ("reporting", "GET", "/snapshots"): (401, 403, 403, 403, 200),
    ("reporting", "GET", "/snapshots/{snapshot_id}/coverage"): (401, 403, 403, 403, 404),
    ("reporting", "POST", "/snapshots"): (401, 403, 403, 403, 422),
    # gateway
    ("gateway", "GET", "/"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/accessibility"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/actions/{action_id}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/actions"): (401, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/actions/{action_id}"): (404, 200, 404, 200, 200),
    ("gateway", "GET", "/api/v1/actions/{action_id}/diff"): (401, 200, 403, 200, 200),
    ("gateway", "GET", "/api/v1/actions/{action_id}/history"): (401, 200, 403, 200, 200),
    ("gateway", "GET", "/api/v1/actions/{action_id}/similar"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/coverage"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/coverage/stream"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/coverage/actions"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/coverage/at"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/coverage/freshness"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/coverage/needs-push"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/coverage/pipeline"): (401, 403, 403, 403, 200),
    ("gateway", "GET", "/api/v1/coverage/places"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/coverage/series"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/dialogue"): (401, 403, 403, 403, 200),
    ("gateway", "GET", "/api/v1/docs"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/exports"): (401, 403, 403, 403, 200),
    ("gateway", "GET", "/api/v1/exports/{table}"): (401, 403, 403, 403, 200),
    ("gateway", "GET", "/api/v1/gateway-openapi.json"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/geography/{kind}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/imports/template.{kind}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/me"): (401, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/open-data"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/open-data/{name}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/openapi.json"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/organisations"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/organisations/{organisation_id}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/plan"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/plan/versions"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/plan/nodes/{code}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/plan/versions/{version}"): (200, 200, 200, 200, 200),
    # Plan changes through the public API: the catalogue decides (coordinators only); a
    # coordinator's deliberately empty change is refused on its content.
    ("gateway", "PATCH", "/api/v1/plan/nodes/{code}"): (401, 403, 403, 403, 404),
    ("gateway", "POST", "/api/v1/plan/imports"): (401, 403, 403, 403, 422),
    ("gateway", "POST", "/api/v1/plan/nodes"): (401, 403, 403, 403, 422),
    ("gateway", "POST", "/api/v1/plan/nodes/{code}/merge"): (401, 403, 403, 403, 422),
    ("gateway", "POST", "/api/v1/plan/nodes/{code}/retire"): (401, 403, 403, 403, 404),
    ("gateway", "GET", "/plan/versions"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/plan/versions/{number}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/coordinator/plan"): (LOGIN, 403, 403, 403, 200),
    # A coordinator's empty plan form is refused on its content (the page lists what is missing).
    ("gateway", "POST", "/coordinator/plan/add"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "POST", "/coordinator/plan/merge"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "POST", "/coordinator/plan/retire"): (LOGIN, 403, 403, 403, 422),
    # Versions that do not exist (the call names none): the owner's roles reach the lookup.
    ("gateway", "GET", "/my/actions/{action_id}/diff"): (LOGIN, 404, 404, 404, 404),
    # A withdrawal needs its reason: the empty form is refused on its content.
    ("gateway", "POST", "/my/actions/{action_id}/withdraw"): (LOGIN, 422, 404, 422, 422),
    ("gateway", "GET", "/api/v1/reports/yearly/{year}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/search"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/search/community"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/snapshots"): (401, 403, 403, 403, 200),
    ("gateway", "GET", "/api/v1/suggest"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/auth/link/{secret}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/coordinator"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "GET", "/coordinator/requests"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "GET", "/coverage"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/coverage/actions"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/places"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/places/map"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/places/need"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/places/finland"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/places/county/{code}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/places/municipality/{code}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/places/county/{code}/report"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/places"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/places/map"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/places/finland"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/places/county/{code}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/places/municipality/{code}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/places/county/{code}/report"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/indicators"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/indicators/need"): (422, 422, 422, 422, 422),
    ("gateway", "PUT", "/api/v1/indicators/{indicator}/sub-goals"): (401, 403, 403, 403, 422),
    # No indicator in the form: refused once the caller is a coordinator.
    ("gateway", "POST", "/places/need/link"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "GET", "/dashboard"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "GET", "/dashboard/history"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "GET", "/dashboard/snapshots"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "GET", "/follows/unsubscribe"): (403, 403, 403, 403, 403),
    ("gateway", "GET", "/health/live"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/health/ready"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/join"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/login"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/metrics"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/my/actions"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/my/actions/new"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/my/actions/{action_id}"): (LOGIN, 200, 404, 200, 200),
    ("gateway", "GET", "/my/actions/{action_id}/edit"): (LOGIN, 200, 404, 200, 200),
    ("gateway", "GET", "/my/actions/{action_id}/history"): (LOGIN, 200, 404, 200, 200),
    ("gateway", "GET", "/my/follows"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/my/members"): (LOGIN, 403, 403, 200, 200),
    ("gateway", "GET", "/my/organisations"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/my/organisations/{organisation_id}/edit"): (LOGIN, 403, 403, 200, 200),
    # An organisation's API tokens: its admins (and coordinators) only; an absent token is 404.
    ("gateway", "GET", "/my/organisations/{organisation_id}/api-tokens"): (
        LOGIN,
        403,
        403,
        200,
        200,
    ),
    ("gateway", "GET", "/my/organisations/{organisation_id}/api-tokens/{token_id}/revoke"): (
        LOGIN,
        403,
        403,
        404,
        404,
    ),
    ("gateway", "GET", "/open-data"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/organisations/{organisation_id}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/plan"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/privacy"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/reports/yearly/{year}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/review"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "GET", "/search"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/static/{name}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/welcome"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "POST", "/api/v1/actions"): (401, 201, 403, 201, 201),
    ("gateway", "POST", "/api/v1/actions/{action_id}/{step}"): (401, 412, 403, 412, 412),
    ("gateway", "POST", "/api/v1/auth/login-link"): (422, 422, 422, 422, 422),
    ("gateway", "POST", "/api/v1/auth/register"): (422, 422, 422, 422, 422),
    ("gateway", "POST", "/api/v1/imports"): (401, 403, 403, 403, 422),
    ("gateway", "POST", "/api/v1/snapshots"): (401, 403, 403, 403, 422),
    ("gateway", "POST", "/auth/link/{secret}"): (410, 410, 410, 410, 410),
    ("gateway", "POST", "/auth/logout"): (303, 303, 303, 303, 303),
    ("gateway", "POST", "/coordinator/import"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "POST", "/coordinator/organisations/{organisation_id}"): (
        LOGIN,
        403,
        403,
        403,
        200,
    ),
    ("gateway", "POST", "/coordinator/plan/import"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "POST", "/coordinator/plan/rename"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "POST", "/dashboard/snapshots"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "POST", "/join"): (422, 422, 422, 422, 422),
    ("gateway", "POST", "/login"): (422, 422, 422, 422, 422),
    ("gateway", "POST", "/my/actions/new"): (LOGIN, SAVED, 422, SAVED, SAVED),
    # The form reads the working copy first: to an outsider the draft does not exist.
    ("gateway", "POST", "/my/actions/{action_id}/edit"): (LOGIN, 412, 404, 412, 412),
    ("gateway", "POST", "/my/actions/{action_id}/submit"): (LOGIN, 412, 404, 412, 412),
    ("gateway", "POST", "/my/follows"): (LOGIN, 422, 422, 422, 422),
    ("gateway", "POST", "/my/members/{organisation_id}/{member_id}"): (LOGIN, 403, 403, 404, 404),
    ("gateway", "POST", "/my/members/{organisation_id}/{member_id}/remove"): (
        LOGIN,
        403,
        403,
        404,
        404,
    ),
    ("gateway", "POST", "/my/members/{organisation_id}/{member_id}/role"): (
        LOGIN,
        403,
        403,
        404,
        404,
    ),
    ("gateway", "POST", "/my/organisations/join"): (LOGIN, 422, 422, 422, 422),
    ("gateway", "POST", "/my/organisations/propose"): (LOGIN, 422, 422, 422, 422),
    # An empty form: a token needs a name, so an allowed role gets 422.
    ("gateway", "POST", "/my/organisations/{organisation_id}/api-tokens"): (
        LOGIN,
        403,
        403,
        422,
        422,
    ),
    ("gateway", "POST", "/my/organisations/{organisation_id}/api-tokens/{token_id}/revoke"): (
        LOGIN,
        403,
        403,
        404,
        404,
    ),
    # An empty profile form: the Finnish name is required, so an allowed role gets 422.
    ("gateway", "POST", "/my/organisations/{organisation_id}/edit"): (LOGIN, 403, 403, 422, 422),
    ("gateway", "POST", "/review/{action_id}/publish"): (LOGIN, 403, 403, 403, 412),
    ("gateway", "POST", "/review/{action_id}/return"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "GET", "/actions/{action_id}/confirm"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/reminders/stop"): (200, 200, 200, 200, 200),
    ("gateway", "POST", "/reminders/stop"): (422, 422, 422, 422, 422),
    ("gateway", "GET", "/api/v1/actions/{action_id}/possible-duplicates"): (
        401,
        200,
        403,
        200,
        200,
    ),
    ("gateway", "GET", "/my/partners"): (LOGIN, 403, 403, 200, 200),
    ("gateway", "POST", "/actions/{action_id}/confirm"): (404, 404, 404, 404, 404),
    ("gateway", "POST", "/actions/{action_id}/partners"): (LOGIN, 404, 404, 404, 404),
    ("gateway", "POST", "/api/v1/actions/{action_id}/confirm-by-link"): (422, 422, 422, 422, 422),
    ("gateway", "POST", "/api/v1/actions/{action_id}/partners"): (401, 422, 422, 422, 422),
    ("gateway", "POST", "/api/v1/actions/{action_id}/partners/{organisation_id}/{decision}"): (
        401,
        403,
        403,
        412,
        412,
    ),
    ("gateway", "POST", "/coordinator/reminders"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "POST", "/my/actions/{action_id}/confirm"): (LOGIN, 412, 404, 412, 412),
    ("gateway", "POST", "/my/actions/{action_id}/join/{target_id}"): (LOGIN, 404, 404, 404, 404),
    ("gateway", "POST", "/my/actions/{action_id}/partners/{organisation_id}/{decision}"): (
        LOGIN,
        403,
        403,
        412,
        412,
    ),
    ("gateway", "PUT", "/api/v1/actions/{action_id}"): (401, 412, 403, 412, 412),
    ("gateway", "GET", "/my/account"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/my/account/data"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/my/account/data.json"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/my/account/erase"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/account/erased"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/notifications/unsubscribe"): (422, 422, 422, 422, 422),
    ("gateway", "GET", "/api/v1/me/data"): (401, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/me/notifications"): (401, 200, 200, 200, 200),
    ("gateway", "PUT", "/api/v1/me/notifications"): (401, 422, 422, 422, 422),
    # Erasure needs a confirmation in the body or form: the empty one here erases nobody.
    ("gateway", "POST", "/api/v1/me/erasure"): (401, 422, 422, 422, 422),
    ("gateway", "POST", "/my/account/erase"): (LOGIN, 422, 422, 422, 422),
    ("gateway", "POST", "/my/account/notifications"): (LOGIN, 422, 422, 422, 422),
    ("gateway", "POST", "/coordinator/notifications/digest"): (LOGIN, 403, 403, 403, SAVED),
    # News and events (community service): reading is public; news is the coordinators',
    # events any organisation's member's (an empty body is refused on its content, 422, before
    # the organisation is looked at); absent ids are 404.
    ("community", "GET", "/news"): (200, 200, 200, 200, 200),
    ("community", "GET", "/news/feed.{lang}.atom"): (200, 200, 200, 200, 200),
    ("community", "GET", "/news/{news_id}"): (404, 404, 404, 404, 404),
    ("community", "POST", "/news"): (401, 403, 403, 403, 422),
    ("community", "PUT", "/news/{news_id}"): (401, 403, 403, 403, 422),
    ("community", "POST", "/news/{news_id}/withdraw"): (401, 403, 403, 403, 404),
    ("community", "GET", "/events"): (200, 200, 200, 200, 200),
    ("community", "GET", "/events/feed.ics"): (200, 200, 200, 200, 200),
    ("community", "GET", "/events/{event_id}.ics"): (404, 404, 404, 404, 404),
    ("community", "GET", "/events/{event_id}"): (404, 404, 404, 404, 404),
    ("community", "POST", "/events"): (401, 422, 422, 422, 422),
    ("community", "PUT", "/events/{event_id}"): (401, 422, 422, 422, 422),
    ("community", "POST", "/events/{event_id}/cancel"): (401, 404, 404, 404, 404),
    # Good practices: members share for their own organisation, coordinators highlight.
    ("community", "GET", "/practices/experiences"): (200, 200, 200, 200, 200),
    ("community", "POST", "/practices/experiences"): (401, 422, 422, 422, 422),
    ("community", "GET", "/practices/highlights"): (200, 200, 200, 200, 200),
    ("community", "GET", "/practices/highlights/{action_id}"): (404, 404, 404, 404, 404),
    ("community", "PUT", "/practices/highlights/{action_id}"): (401, 403, 403, 403, 422),
    ("gateway", "GET", "/news"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/news/feed.{lang}.atom"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/news/new"): (LOGIN, 403, 403, 403, 200),
    ("gateway", "GET", "/news/{news_id}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/news/{news_id}/edit"): (LOGIN, 403, 403, 403, 404),
    ("gateway", "POST", "/news/new"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "POST", "/news/{news_id}/edit"): (LOGIN, 403, 403, 403, 422),
    ("gateway", "POST", "/news/{news_id}/withdraw"): (LOGIN, 403, 403, 403, 404),
    ("gateway", "GET", "/events"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/events/feed.ics"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/events/new"): (LOGIN, 200, 200, 200, 200),
    ("gateway", "GET", "/events/{event_id}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/events/{event_id}.ics"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/events/{event_id}/edit"): (LOGIN, 404, 404, 404, 404),
    ("gateway", "POST", "/events/new"): (LOGIN, 422, 422, 422, 422),
    ("gateway", "POST", "/events/{event_id}/edit"): (LOGIN, 422, 422, 422, 422),
    ("gateway", "POST", "/events/{event_id}/cancel"): (LOGIN, 404, 404, 404, 404),
    # Good practices: the action of these calls is A's draft, not published: 404 past the
    # caller checks (also a form refused on its content: the page cannot show the action).
    ("gateway", "GET", "/good-practices"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/actions/{action_id}/experiences"): (404, 404, 404, 404, 404),
    ("gateway", "POST", "/actions/{action_id}/experiences"): (LOGIN, 404, 404, 404, 404),
    ("gateway", "POST", "/actions/{action_id}/highlight"): (LOGIN, 403, 403, 403, 404),
    ("gateway", "GET", "/api/v1/practices/experiences"): (200, 200, 200, 200, 200),
    ("gateway", "POST", "/api/v1/practices/experiences"): (401, 422, 422, 422, 422),
    ("gateway", "GET", "/api/v1/practices/highlights"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/practices/highlights/{action_id}"): (404, 404, 404, 404, 404),
    ("gateway", "PUT", "/api/v1/practices/highlights/{action_id}"): (401, 403, 403, 403, 422),
    ("gateway", "GET", "/api/v1/news"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/news/feed.{lang}.atom"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/news/{news_id}"): (404, 404, 404, 404, 404),
    ("gateway", "POST", "/api/v1/news"): (401, 403, 403, 403, 422),
    ("gateway", "PUT", "/api/v1/news/{news_id}"): (401, 403, 403, 403, 422),
    ("gateway", "POST", "/api/v1/news/{news_id}/withdraw"): (401, 403, 403, 403, 404),
    ("gateway", "GET", "/api/v1/events"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/events/feed.ics"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/events/{event_id}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/events/{event_id}.ics"): (404, 404, 404, 404, 404),
    ("gateway", "POST", "/api/v1/events"): (401, 422, 422, 422, 422),
    ("gateway", "PUT", "/api/v1/events/{event_id}"): (401, 422, 422, 422, 422),
    ("gateway", "POST", "/api/v1/events/{event_id}/cancel"): (401, 404, 404, 404, 404),
    # discussions (community): pages, forms and the public API
    ("gateway", "DELETE", "/api/v1/discussions/messages/{message_id}"): (401, 404, 404, 404, 404),
    ("gateway", "DELETE", "/api/v1/discussions/threads/{thread_id}/follow"): (
        401,
        404,
        404,
        404,
        404,
    ),
    ("gateway", "DELETE", "/api/v1/discussions/{kind}/{ref}/follow"): (401, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/discussions/messages/{message_id}"): (404, 404, 404, 404, 404),
    ("gateway", "GET", "/api/v1/discussions/reports"): (401, 403, 403, 403, 200),
    ("gateway", "GET", "/api/v1/discussions/topics"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/discussions/{kind}/{ref}"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/api/v1/discussions/{kind}/{ref}/threads"): (200, 200, 200, 200, 200),
    ("gateway", "POST", "/api/v1/discussions/messages/{message_id}/hide"): (
        401,
        403,
        403,
        403,
        422,
    ),
    ("gateway", "POST", "/api/v1/discussions/messages/{message_id}/reports"): (
        401,
        422,
        422,
        422,
        422,
    ),
    ("gateway", "POST", "/api/v1/discussions/reports/{report_id}/dismiss"): (
        401,
        403,
        403,
        403,
        404,
    ),
    ("gateway", "POST", "/api/v1/discussions/threads/{thread_id}/replies"): (
        401,
        422,
        422,
        422,
        422,
    ),
    ("gateway", "POST", "/api/v1/discussions/topics"): (401, 403, 403, 403, 422),
    ("gateway", "POST", "/api/v1/discussions/{kind}/{ref}/threads"): (401, 422, 422, 422, 422),
    ("gateway", "PUT", "/api/v1/discussions/messages/{message_id}"): (401, 422, 422, 422, 422),
    ("gateway", "PUT", "/api/v1/discussions/threads/{thread_id}/follow"): (
        401,
        404,
        404,
        404,
        404,
    ),
    ("gateway", "PUT", "/api/v1/discussions/{kind}/{ref}/follow"): (401, 200, 200, 200, 200),
    ("gateway", "GET", "/coordinator/reports"): (LOGIN, 403, 403, 403, 200),
    # Hiding a message is the coordinators' (its own routes, before the members' "{action}").
    ("gateway", "GET", "/discussion/messages/{message_id}/hide"): (LOGIN, 403, 403, 403, 404),
    ("gateway", "GET", "/discussion/messages/{message_id}/{action}"): (LOGIN, 404, 404, 404, 404),
    ("gateway", "GET", "/plan/{code}/discussion"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/topics"): (200, 200, 200, 200, 200),
    ("gateway", "GET", "/topics/{topic_id}"): (404, 404, 404, 404, 404),
    ("gateway", "POST", "/coordinator/reports/{report_id}/dismiss"): (LOGIN, 403, 403, 403, 404),
    ("gateway", "POST", "/discussion/messages/{message_id}/hide"): (LOGIN, 403, 403, 403, 404),
    ("gateway", "POST", "/discussion/messages/{message_id}/{action}"): (LOGIN, 404, 404, 404, 404),
    ("gateway", "POST", "/discussion/threads/{thread_id}/follow"): (LOGIN, 404, 404, 404, 404),
    ("gateway", "POST", "/discussion/threads/{thread_id}/replies"): (LOGIN, 404, 404, 404, 404),
    # Following a measure's discussion changes only the caller's own notifications.
    ("gateway", "POST", "/discussion/{kind}/{ref}/follow"): (LOGIN, SAVED, SAVED, SAVED, SAVED),
    ("gateway", "POST", "/discussion/{kind}/{ref}/threads"): (LOGIN, 422, 422, 422, 422),
    ("gateway", "POST", "/topics"): (LOGIN, 403, 403, 403, 422),
}
SERVICES = ("catalogue", "submissions", "search", "reporting", "community", "gateway")


def matches(expected: int | str, status: int, location: str) -> bool:
    if expected == LOGIN:
        return status in (302, 303) and "/login" in location
    if expected == SAVED:
        return status == 303 and "/login" not in location
    return status == expected


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_has_a_row(service: str) -> None:
    routes = {str(k) for k in routes_of(service)}
    rows = {f"{m} {p}" for s, m, p in EXPECTED if s == service}
    assert routes - rows == set(), "routes nobody has decided about"
    assert rows - routes == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("service", SERVICES)
def test_authorisation_matrix(platform: RunningPlatform, service: str) -> None:
    caller = Caller(platform)
    wrong = []
    for key in routes_of(service):
        expected = EXPECTED[(service, key.method, key.path)]
        for role, want in zip(ROLES, expected, strict=True):
            if service == "gateway":
                got = call_gateway(caller, key, role)
            else:
                got = call_service(caller, service, key, role)
            if not matches(want, got.status, got.location):
                wrong.append(f"{key} as {role}: expected {want}, got {got.status} {got.body[:120]}")
    assert wrong == [], "\n".join(wrong)


def test_no_route_lets_a_visitor_write(platform: RunningPlatform) -> None:
    """Across every service: a write without a user is refused or is a public form."""
    public_writes = {
        ("submissions", "POST", "/actions/{action_id}/confirm-by-link"),
        # A reminder mail's link: its signed token is the permission, no session needed.
        ("gateway", "POST", "/actions/{action_id}/confirm"),
        ("gateway", "POST", "/reminders/stop"),
        ("submissions", "POST", "/reminders/stop"),
        ("gateway", "POST", "/api/v1/actions/{action_id}/confirm-by-link"),
        ("search", "POST", "/similar"),
        ("gateway", "POST", "/api/v1/auth/login-link"),
        ("gateway", "POST", "/api/v1/auth/register"),
        ("gateway", "POST", "/auth/link/{secret}"),
        ("gateway", "POST", "/auth/logout"),
        ("gateway", "POST", "/join"),
        ("gateway", "POST", "/login"),
    }
    for (service, method, path), row in EXPECTED.items():
        if method != "GET" and (service, method, path) not in public_writes:
            assert row[0] in (401, 403, LOGIN), f"{service} {method} {path}: {row[0]}"
