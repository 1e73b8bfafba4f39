"""Who reads a page: the signed-in member (or a visitor), the language, and the CSRF token
for the page's forms."""

import secrets
from dataclasses import dataclass, field

from fastapi import Request

from htk_gateway.auth import csrf
from htk_gateway.auth.identity import current_user
from htk_gateway.web import i18n
from htk_gateway.web.deps import gateway_settings, members
from htk_runtime.auth import User


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


def secure_cookies(request: Request) -> bool:
    return bool(gateway_settings(request).environment != "development")


async def viewer(request: Request) -> Viewer:
    user = await current_user(request)
    name = None
    member_language = None
    if user is not None:
        member = await members(request).get(user.member_id)
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
    token = csrf.token_for(gateway_settings(request).gateway_secret, binding)
    return Viewer(request, user, name, lang, i18n.Translator(lang), token, new_binding)
