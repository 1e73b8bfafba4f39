"""Rendering server-side pages: templates, the reader's language and identity, CSRF tokens,
security headers, and calls to the services on the reader's behalf."""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from htk_gateway.auth import csrf
from htk_gateway.web import formats, i18n
from htk_gateway.web.markdown import highlighted, render_discussion, render_markdown
from htk_gateway.web.viewer import Viewer, secure_cookies

TEMPLATES = Path(__file__).parent.parent / "templates"
HELSINKI = ZoneInfo("Europe/Helsinki")
STATIC = Path(__file__).parent.parent / "static"

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
