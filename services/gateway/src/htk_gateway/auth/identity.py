"""Who is calling: the member of a valid session, or, with the development switch, a
coordinator for developers. Everyone else is a visitor."""

from fastapi import Request

from htk_gateway.auth.csrf import SESSION_COOKIE
from htk_gateway.auth.members import MemberCopies
from htk_gateway.auth.sessions import Sessions
from htk_runtime.auth import User

DEV_COORDINATOR = User(member_id="dev-coordinator", coordinator=True)


async def current_user(request: Request) -> User | None:
    state = request.app.state.service.ctx().state
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        sessions: Sessions = state["sessions"]
        member_id = await sessions.member_of(secret)
        if member_id:
            members: MemberCopies = state["members"]
            member = await members.get(member_id)
            if member:
                return MemberCopies.claims(member)
    if request.app.state.service.settings.dev_open_writes:
        return DEV_COORDINATOR
    return None
