"""The gateway's parts as FastAPI dependencies: a handler names what it needs in its signature
(``members: MembersDep``) instead of looking it up by a string key.

This is the one module that knows where the parts live (the service context's state, filled
by ``main.create_service`` at start-up). Each accessor takes only the request, so code that is
not a handler (the viewer, an error page) can call it too. Guards (who may call) are in
``web/guards.py``.
"""

from typing import Annotated, Any

from fastapi import Depends, Request

from htk_gateway.api.live import LiveStreams
from htk_gateway.api.upstream import Upstreams
from htk_gateway.api_tokens.store import ApiTokens
from htk_gateway.auth.link_mail import LinkMail
from htk_gateway.auth.members import MemberCopies
from htk_gateway.auth.ratelimit import RateLimiter
from htk_gateway.auth.sessions import LoginLinks, Sessions
from htk_gateway.follows.store import Follows
from htk_gateway.notify.delivery import Notifier
from htk_gateway.settings import GatewaySettings
from htk_runtime.mail import Mailer


def _state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = request.app.state.service.ctx().state
    return state


def gateway_settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.service.settings
    return settings


def members(request: Request) -> MemberCopies:
    part: MemberCopies = _state(request)["members"]
    return part


def sessions(request: Request) -> Sessions:
    part: Sessions = _state(request)["sessions"]
    return part


def login_links(request: Request) -> LoginLinks:
    part: LoginLinks = _state(request)["login_links"]
    return part


def link_mail(request: Request) -> LinkMail:
    part: LinkMail = _state(request)["link_mail"]
    return part


def rate_limiter(request: Request) -> RateLimiter:
    part: RateLimiter = _state(request)["rate_limiter"]
    return part


def upstreams(request: Request) -> Upstreams:
    part: Upstreams = _state(request)["upstreams"]
    return part


def live_streams(request: Request) -> LiveStreams:
    part: LiveStreams = _state(request)["live"]
    return part


def follows(request: Request) -> Follows:
    part: Follows = _state(request)["follows"]
    return part


def api_tokens(request: Request) -> ApiTokens:
    part: ApiTokens = _state(request)["api_tokens"]
    return part


def notifier(request: Request) -> Notifier:
    part: Notifier = _state(request)["notifier"]
    return part


def mailer(request: Request) -> Mailer:
    part: Mailer = _state(request)["mailer"]
    return part


SettingsDep = Annotated[GatewaySettings, Depends(gateway_settings)]
MembersDep = Annotated[MemberCopies, Depends(members)]
SessionsDep = Annotated[Sessions, Depends(sessions)]
LoginLinksDep = Annotated[LoginLinks, Depends(login_links)]
LinkMailDep = Annotated[LinkMail, Depends(link_mail)]
RateLimiterDep = Annotated[RateLimiter, Depends(rate_limiter)]
UpstreamsDep = Annotated[Upstreams, Depends(upstreams)]
LiveStreamsDep = Annotated[LiveStreams, Depends(live_streams)]
FollowsDep = Annotated[Follows, Depends(follows)]
ApiTokensDep = Annotated[ApiTokens, Depends(api_tokens)]
NotifierDep = Annotated[Notifier, Depends(notifier)]
MailerDep = Annotated[Mailer, Depends(mailer)]
