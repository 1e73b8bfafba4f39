"""Rendering server-side pages: templates, the reader's language and identity, CSRF tokens,
security headers, and calls to the services on the reader's behalf."""

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from htk_gateway import csrf, formats, i18n
from htk_gateway.clients import client_address
from htk_gateway.identity import current_user
from htk_gateway.markdown import highlighted, render_discussion, render_markdown
from htk_gateway.members import MemberCopies
from htk_gateway.upstream import Upstreams
from htk_runtime.auth import HEADER, SERVICE_HEADER, User, sign, sign_service
from htk_runtime.errors import DomainError

TEMPLATES = Path(__file__).parent / "templates"
HELSINKI = ZoneInfo("Europe/Helsinki")
STATIC = Path(__file__).parent / "static"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["markdown"] = render_markdown
env.filters["highlighted"] = highlighted
env.filters["discussion"] = render_discussion


@pass_context
def _format_date(context: Any, value: Any) -> str:
    return formats.when(value, context.get("lang", i18n.DEFAULT))


@pass_context
def _format_day(context: Any, value: Any) -> str:
    return formats.day(value, context.get("lang", i18n.DEFAULT))


@pass_context
def _format_number(context: Any, value: Any) -> str:
    return formats.number(value, context.get("lang", i18n.DEFAULT))


env.filters["day"] = _format_day
env.filters["number"] = _format_number
env.filters["date"] = _format_date

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass
class Viewer:
    """Who is reading the page, in which language, with the CSRF token for its forms."""

    request: Request
    user: User | None
    name: str | None
    lang: str
    t: i18n.Translator
    csrf_token: str
    new_binding: str | None = None
    extra_cookies: dict[str, str] = field(default_factory=dict)

    @property
    def coordinator(self) -> bool:
        return bool(self.user and self.user.coordinator)

    @property
    def admin_of(self) -> list[str]:
        if not self.user:
            return []
        return [o for o, role in self.user.organisations.items() if role == "admin"]


def state(request: Request) -> dict[str, Any]:
    result: dict[str, Any] = request.app.state.service.ctx().state
    return result


def settings(request: Request) -> Any:
    return request.app.state.service.settings


def secure_cookies(request: Request) -> bool:
    return bool(settings(request).environment != "development")


async def viewer(request: Request) -> Viewer:
    user = await current_user(request)
    name = None
    member_language = None
    if user is not None:
        members: MemberCopies = state(request)["members"]
        member = await members.get(user.member_id)
        if member:
            name = member.get("name")
            member_language = member.get("language")
    lang = i18n.language_of(request, member_language)
    binding = request.cookies.get(csrf.SESSION_COOKIE) or request.cookies.get(
        csrf.PRE_SESSION_COOKIE
    )
    new_binding = None
    if binding is None:
        binding = new_binding = secrets.token_urlsafe(24)
    token = csrf.token_for(settings(request).gateway_secret, binding)
    return Viewer(request, user, name, lang, i18n.Translator(lang), token, new_binding)


def _finish(response: Any, v: Viewer) -> Any:
    secure = secure_cookies(v.request)
    if v.new_binding:
        response.set_cookie(
            csrf.PRE_SESSION_COOKIE, v.new_binding, httponly=True, samesite="lax", secure=secure
        )
    chosen = i18n.chosen_language(v.request)
    if chosen:
        response.set_cookie(
            i18n.COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", secure=secure
        )
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    if v.user is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def language_links(request: Request) -> dict[str, str]:
    """The same page in each language, with its query (a search, its filters) kept."""
    kept = [(k, value) for k, value in request.query_params.multi_items() if k != "lang"]
    return {
        code: f"{request.url.path}?{urlencode([*kept, ('lang', code)])}" for code in i18n.LANGUAGES
    }


def render(v: Viewer, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = env.get_template(template).render(
        v=v,
        language_links=language_links(v.request),
        t=v.t,
        lang=v.lang,
        user=v.user,
        csrf=v.csrf_token,
        path=v.request.url.path,
        **context,
    )
    return _finish(HTMLResponse(html, status_code=status_code), v)


def redirect(v: Viewer, url: str) -> RedirectResponse:
    return _finish(RedirectResponse(url, status_code=303), v)


async def form_data(request: Request) -> dict[str, Any]:
    """The posted form after its CSRF check; lists for names that repeat."""
    form = await request.form()
    csrf.check(request, str(form.get("csrf") or ""), required=True)
    data: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return data


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(x) for x in value if str(x)]
    return [str(value)]


async def limit_writes(request: Request, user: User | None) -> None:
    who = user.member_id if user else client_address(request)
    await state(request)["rate_limiter"].hit(
        f"write:{who}", settings(request).writes_per_minute, 60
    )


def user_headers(request: Request, user: User | None, service: str) -> dict[str, str]:
    """The user's token for ``service`` only (its audience), or nothing for a visitor."""
    if user is None:
        return {}
    s = settings(request)
    return {HEADER: sign(user, s.token_private_key, s.user_token_ttl_seconds, audience=[service])}


def service_headers(request: Request, service: str) -> dict[str, str]:
    """The gateway's own token, for routes that answer the gateway only (joining, signing in)."""
    s = settings(request)
    return {SERVICE_HEADER: sign_service("gateway", service, s.token_private_key)}


async def call(
    request: Request, user: User | None, service: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """A call to a service as ``user`` (or as a visitor), for a page to read."""
    upstreams: Upstreams = state(request)["upstreams"]
    headers = {**kwargs.pop("headers", {}), **user_headers(request, user, service)}
    return await upstreams.call(service, method, path, headers=headers, **kwargs)


async def read(request: Request, user: User | None, service: str, path: str, **kwargs: Any) -> Any:
    """JSON from a service, or None when it has nothing there (404) or is not reachable."""
    try:
        answer = await call(request, user, service, "GET", path, **kwargs)
    except DomainError:
        return None
    if answer.status_code != 200:
        return None
    return answer.json()


def error_list(answer: httpx.Response) -> tuple[str, list[dict[str, str]]]:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200], []
    if not isinstance(body, dict):
        return "", []
    return str(body.get("message", "")), list(body.get("errors") or [])
