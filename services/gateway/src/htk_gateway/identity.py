"""Who is calling. Sessions arrive with the login issue; until then only the development switch
gives an identity: a coordinator, so a developer can walk an action through review."""

from fastapi import Request

from htk_runtime.auth import User

DEV_COORDINATOR = User(member_id="dev-coordinator", coordinator=True)


def current_user(request: Request) -> User | None:
    if request.app.state.service.settings.dev_open_writes:
        return DEV_COORDINATOR
    return None
