"""Who is calling: the member of a valid session, or, with the development switch, a
coordinator for developers. Everyone else is a visitor."""

from fastapi import Request

from htk_gateway.auth.csrf import SESSION_COOKIE
from htk_gateway.auth.members import MemberCopies
from htk_gateway.web.deps import gateway_settings, members, sessions
from htk_runtime.auth import User

DEV_COORDINATOR = User(member_id="dev-coordinator", coordinator=True)


async def current_user(request: Request) -> User | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        member_id = await sessions(request).member_of(secret)
        if member_id:
            member = await members(request).get(member_id)
            if member:
                return MemberCopies.claims(member)
    if gateway_settings(request).dev_open_writes:
        return DEV_COORDINATOR
    return None
