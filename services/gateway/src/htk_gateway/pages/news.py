"""News of the plan's implementation in the browser: the archive, one item, the Atom feeds,
and the coordinators' form. The community service owns the news; these pages read and write
it through its API as the reader."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from htk_gateway.web import reference
from htk_gateway.web.calls import call, error_list, read
from htk_gateway.web.forms import as_list, translate_errors
from htk_gateway.web.guards import COORDINATOR, COORDINATOR_WRITE, Coordinator, Form, Reader
from htk_gateway.web.render import redirect, render
from htk_gateway.web.viewer import Viewer
from htk_runtime.auth import User
from htk_runtime.errors import DomainError

router = APIRouter(include_in_schema=False)

LANGUAGES = ("fi", "sv", "en")
TEXT_FIELDS = ("title", "summary", "body")
ARCHIVE_PAGE = 10


async def sub_goals(request: Request) -> list[dict[str, Any]]:
    """The plan's sub-goals for a form's or a filter's choices."""
    nodes = reference.plan_nodes(await reference.plan(request))
    return [n for n in nodes.values() if n.get("level") == "sub_goal"]


def form_errors(v: Viewer, answer: Any, prefix: str) -> dict[str, str]:
    """A service's refusal as messages beside the form's fields (``texts.sv.title`` is the
    form's ``title_sv``)."""
    _, errors = error_list(answer)
    if not errors:
        key = {403: "error.forbidden", 404: "error.not_found"}.get(answer.status_code)
        return {"form": v.t(key) if key else v.t("err.generic")}
    renamed = []
    for e in errors:
        field = str(e.get("field") or "")
        parts = field.split(".")
        if len(parts) == 3 and parts[0] == "texts":
            field = f"{parts[2]}_{parts[1]}"
        elif len(parts) == 2 and parts[0] == "texts":
            field = f"title_{parts[1]}"
        renamed.append({**e, "field": field})
    return translate_errors(v.t, renamed, prefix=prefix)


def news_payload(form: dict[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str:
        return str(form.get(name) or "").replace("\r\n", "\n").strip()

    texts = {
        code: {f: text(f"{f}_{code}") for f in TEXT_FIELDS}
        for code in LANGUAGES
        if any(text(f"{f}_{code}") for f in TEXT_FIELDS)
    }
    return {"texts": texts, "sub_goals": as_list(form.get("sub_goals"))}


def news_form(item: dict[str, Any]) -> dict[str, Any]:
    form: dict[str, Any] = {"sub_goals": item.get("sub_goals", [])}
    for code, text in (item.get("texts") or {}).items():
        for f in TEXT_FIELDS:
            form[f"{f}_{code}"] = text.get(f, "")
    return form


async def latest_news(request: Request, lang: str, limit: int = 3) -> list[dict[str, Any]]:
    """For the front page: nothing (rather than an error) when the service is away."""
    found = await read(request, None, "community", "/news", params={"limit": limit, "lang": lang})
    return list((found or {}).get("items", []))


@router.get("/news", response_class=HTMLResponse)
async def news_archive(
    request: Request, v: Reader, cursor: str | None = None, done: str | None = None
) -> Response:
    params: dict[str, Any] = {"limit": ARCHIVE_PAGE, "lang": v.lang}
    if cursor:
        params["cursor"] = cursor
    answer = await call(request, None, "community", "GET", "/news", params=params)
    if answer.status_code == 422:
        raise DomainError(422, "The cursor is not valid; start again from the first page", "cursor")
    page = answer.json() if answer.status_code == 200 else {"items": []}
    return render(
        v,
        "news_archive.html",
        items=page.get("items", []),
        next_cursor=page.get("next_cursor"),
        first=not cursor,
        done=done if done and v.t.has(f"done.{done}") else None,
    )


@router.get("/news/feed.{lang}.atom")
async def news_feed(lang: str, request: Request) -> Response:
    if lang not in LANGUAGES:
        raise DomainError(404, "Feeds are in fi, sv and en")
    answer = await call(request, None, "community", "GET", f"/news/feed.{lang}.atom")
    if answer.status_code != 200:
        raise DomainError(answer.status_code if answer.status_code < 500 else 503, "No feed")
    return Response(
        answer.content,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


async def _form_page(
    request: Request,
    v: Viewer,
    form: dict[str, Any],
    errors: dict[str, str],
    news_id: str | None = None,
    status: int = 200,
) -> Response:
    form = {**form, "sub_goals": as_list(form.get("sub_goals"))}
    return render(
        v,
        "news_form.html",
        status_code=status,
        form=form,
        errors=errors,
        news_id=news_id,
        sub_goals=await sub_goals(request),
        languages=LANGUAGES,
    )


@router.get("/news/new", response_class=HTMLResponse, dependencies=[COORDINATOR])
async def new_news_page(request: Request, v: Reader) -> Response:
    return await _form_page(request, v, {}, {})


@router.post("/news/new", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE])
async def publish_news(request: Request, form: Form, v: Reader, user: Coordinator) -> Response:
    answer = await call(request, user, "community", "POST", "/news", json=news_payload(form))
    if answer.status_code == 201:
        return redirect(v, f"/news/{answer.json()['news_id']}?done=news_published")
    return await _form_page(request, v, form, form_errors(v, answer, "news"), status=422)


async def _item(request: Request, user: User | None, news_id: str, lang: str) -> dict[str, Any]:
    found = await read(request, user, "community", f"/news/{news_id}", params={"lang": lang})
    if not isinstance(found, dict):
        raise DomainError(404, "No such news")
    return found


@router.get("/news/{news_id}", response_class=HTMLResponse)
async def news_item(news_id: str, request: Request, v: Reader, done: str | None = None) -> Response:
    item = await _item(request, None, news_id, v.lang)
    nodes = reference.plan_nodes(await reference.plan(request))
    return render(
        v,
        "news_item.html",
        item=item,
        nodes=nodes,
        done=done if done and v.t.has(f"done.{done}") else None,
    )


@router.get("/news/{news_id}/edit", response_class=HTMLResponse)
async def edit_news_page(news_id: str, request: Request, v: Reader, user: Coordinator) -> Response:
    item = await _item(request, user, news_id, v.lang)
    return await _form_page(request, v, news_form(item), {}, news_id)


@router.post("/news/{news_id}/edit", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE])
async def edit_news(
    news_id: str, request: Request, form: Form, v: Reader, user: Coordinator
) -> Response:
    answer = await call(
        request, user, "community", "PUT", f"/news/{news_id}", json=news_payload(form)
    )
    if answer.status_code == 200:
        return redirect(v, f"/news/{news_id}?done=news_saved")
    return await _form_page(request, v, form, form_errors(v, answer, "news"), news_id, 422)


@router.post(
    "/news/{news_id}/withdraw", response_class=HTMLResponse, dependencies=[COORDINATOR_WRITE]
)
async def withdraw_news(news_id: str, request: Request, v: Reader, user: Coordinator) -> Response:
    answer = await call(request, user, "community", "POST", f"/news/{news_id}/withdraw")
    if answer.status_code != 200:
        message, _ = error_list(answer)
        raise DomainError(answer.status_code, message or "Refused")
    return redirect(v, "/news?done=news_withdrawn")
