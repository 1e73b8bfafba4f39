"""What each public API route promises, declared on the route itself.

:func:`relayed` gives a forwarding route its ``response_model``, its error answers (the one
error shape) and the service operations that answer it (``x-upstream``). The public document
(:mod:`htk_gateway.openapi`) takes the parameters and request body from those service
operations, where they are checked, and the answers from the gateway's declaration, which is the
contract; it drops ``x-upstream`` before publishing.

The list helpers turn the services' lists into the one envelope (:class:`Page`) with cursor
pagination, so every list of ``/api/v1`` reads the same whatever the service does behind it.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from htk_runtime.errors import DomainError, error_answers
from htk_runtime.listing import Page, decode_cursor, page_of

UPSTREAM = "x-upstream"


def relayed(
    service: str,
    *paths: str,
    model: Any = None,
    errors: tuple[int, ...] = (),
    files: dict[int | str, Any] | None = None,
    omit: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Keyword arguments of a route decorator for a route answered by ``service`` at ``paths``
    (service path templates; several when one public route covers several of them).

    ``omit`` names service parameters the gateway replaces with its own (a list's ``cursor``
    and ``limit`` in place of a service's offset)."""
    declared: dict[str, Any] = {
        "responses": {**error_answers(*errors), **(files or {})},
        "openapi_extra": {UPSTREAM: {"service": service, "paths": list(paths), "omit": list(omit)}},
    }
    if model is not None:
        declared["response_model"] = model
    elif files:
        # Only the file types listed: without this, FastAPI would also list a JSON answer.
        declared["response_class"] = Response
    return declared


def as_page(answer: Response, make: Callable[[Any], BaseModel]) -> Response:
    """A relayed list answer as the envelope: ``make`` builds the page from the service's
    answer. Refusals pass as they are, and so does an answer already in the envelope."""
    if answer.status_code != 200:
        return answer
    body = json.loads(bytes(answer.body))
    if is_page(body):
        return answer
    return JSONResponse(make(body).model_dump(mode="json"))


def without(params: Iterable[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    """Query parameters less those the gateway translates itself."""
    return [(k, v) for k, v in params if k not in names]


def page_in_memory(
    items: list[dict[str, Any]], limit: int, cursor: str | None, key: str
) -> Page[dict[str, Any]]:
    """A page of a short list the service answers whole (plan versions, geography): sorted by
    ``key``, starting after the cursor's key."""
    position = decode_cursor(cursor)
    ordered = sorted(items, key=lambda item: item[key])
    if position is not None:
        after = position.get(key)
        # A cursor of ours holds a key of the items' own type; anything else was made up.
        if ordered and type(after) is not type(ordered[0][key]):
            raise DomainError(
                422, "The cursor is not valid; start again from the first page", "cursor"
            )
        ordered = [item for item in ordered if item[key] > after]
    return page_of(ordered[: limit + 1], limit, lambda item: {key: item[key]})


def is_page(body: Any) -> bool:
    """Whether a service already answers in the envelope (then it is relayed as it is)."""
    return isinstance(body, dict) and {"items", "limit"} <= set(body) and "next_cursor" in body


def cursor_value(cursor: str | None, name: str, check: Callable[[Any], bool]) -> Any:
    """The one value a cursor of ours carries (the service's own continuation token)."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    value = position.get(name)
    if isinstance(value, bool) or not check(value):
        raise DomainError(422, "The cursor is not valid; start again from the first page", "cursor")
    return value
