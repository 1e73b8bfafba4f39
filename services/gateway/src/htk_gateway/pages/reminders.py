"""Where the "stop these reminders" link of a freshness reminder mail lands. Opening the link
changes nothing (mail scanners open links too); one click stops the reminders, and the same
page can start them again. Submissions checks the link's signature."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.web.calls import call
from htk_gateway.web.guards import VISITOR_WRITE, Form, Reader
from htk_gateway.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/reminders/stop", response_class=HTMLResponse)
async def stop_page(v: Reader, member: str = "", sig: str = "") -> Response:
    return render(v, "reminders_stop.html", member=member[:100], sig=sig[:200], outcome=None)


# The link's signature is the permission, so anyone may post (a visitor's write limit).
@router.post("/reminders/stop", response_class=HTMLResponse, dependencies=[VISITOR_WRITE])
async def stop(request: Request, form: Form, v: Reader) -> Response:
    member = str(form.get("member") or "")[:100]
    sig = str(form.get("sig") or "")[:200]
    stopped = form.get("stopped", "true") != "false"
    answer = await call(
        request,
        None,
        "submissions",
        "POST",
        "/reminders/stop",
        json={"member_id": member, "sig": sig, "stopped": stopped},
    )
    if answer.status_code == 200:
        outcome = "stopped" if stopped else "started"
    else:
        outcome = "invalid"
    return render(
        v,
        "reminders_stop.html",
        status_code=200 if outcome != "invalid" else 422,
        member=member,
        sig=sig,
        outcome=outcome,
    )
