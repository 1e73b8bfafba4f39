"""Unknown query parameters are refused, not ignored.

A misspelt filter (``status=`` for ``state=``, ``municipality_codes=`` for ``municipality=``)
used to give unfiltered results that looked like an answer. Every service route now answers 422
naming the parameters it does not know and the ones it accepts.
"""

from fastapi import Request, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from htk_runtime.errors import DomainError

# Routes are not hashable; their dependants live as long as the app, so their ids are stable.
_ACCEPTED: dict[int, frozenset[str]] = {}


def accepted_query_parameters(route: APIRoute) -> frozenset[str]:
    """The query names a route declares, its dependencies' included, by their public alias."""
    key = id(route.dependant)
    if key not in _ACCEPTED:
        _ACCEPTED[key] = frozenset(
            field.alias or field.name
            for field in get_flat_params(route.dependant)
            if isinstance(field.field_info, params.Query)
        )
    return _ACCEPTED[key]


async def reject_unknown_query_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    accepted = accepted_query_parameters(route)
    unknown = sorted(set(request.query_params) - accepted)
    if not unknown:
        return
    listed = ", ".join(sorted(accepted)) or "none"
    raise DomainError(
        422,
        f"Unknown query parameter: {', '.join(unknown)}. Accepted: {listed}",
        errors=[
            {
                "field": name,
                "message": f"Unknown query parameter {name!r}; accepted: {listed}",
                "type": "unknown_parameter",
            }
            for name in unknown
        ],
    )
