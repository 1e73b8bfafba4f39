"""What each public API route promises, declared on the route itself.

:func:`relayed` gives a forwarding route its ``response_model``, its error answers (the one
error shape) and the service operations that answer it (``x-upstream``). The public document
(:mod:`htk_gateway.api.openapi`) takes the parameters and request body from those service
operations, where they are checked, and the answers from the gateway's declaration, which is the
contract; it drops ``x-upstream`` before publishing.

Every service lists in the one envelope (:mod:`htk_runtime.listing`), so list routes relay
the service's answer as it is.
"""

from typing import Any

from fastapi import Response

from htk_runtime.errors import error_answers

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
