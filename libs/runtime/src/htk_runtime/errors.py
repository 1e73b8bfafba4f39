"""One error shape for every service: a message people can read, and the field it concerns.

``{"message": "...", "errors": [{"field": "title", "message": "...", "type": "..."}]}``
"""

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pymongo.errors import ConnectionFailure, ExecutionTimeout, PyMongoError, WaitQueueTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException


class FieldError(BaseModel):
    field: str
    message: str
    type: str | None = None


class ErrorAnswer(BaseModel):
    """The body of every 4xx and 5xx answer."""

    message: str
    errors: list[FieldError] = []


_DESCRIPTIONS = {
    400: "The request is malformed",
    401: "Not signed in, or the token is not valid",
    403: "Signed in, but not allowed to do this",
    404: "Not found",
    409: "In conflict with the current state (for example a stale version)",
    410: "Gone (for example a used or expired link)",
    413: "Too large",
    422: "Invalid input; `errors` names each field at fault",
    429: "Too many requests; see Retry-After",
    503: "A part of the platform is not available right now; try again shortly",
}


def error_answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error answers it can give, all in the one error shape.
    422 and 503 are always possible (bad input; a database outage)."""
    wanted = sorted({*codes, 422, 503})
    return {
        c: {"model": ErrorAnswer, "description": _DESCRIPTIONS.get(c, "Refused")} for c in wanted
    }


class DomainError(Exception):
    """A refusal the user can act on. Raised by service code, rendered as JSON.

    ``errors`` lists every field at fault when there are several, so a form can mark them all.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.field = field
        self.errors = (
            errors
            if errors is not None
            else ([{"field": field, "message": message}] if field else [])
        )
        self.headers = headers


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    return [
        {"field": _field_name(tuple(e.get("loc", ()))), "message": e["msg"], "type": e["type"]}
        for e in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        return JSONResponse(
            {"message": f"Invalid input: {fields}", "errors": errors}, status_code=422
        )

    @app.exception_handler(DomainError)
    async def on_domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            {"message": exc.message, "errors": exc.errors},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(PyMongoError)
    async def on_database(_: Request, exc: PyMongoError) -> JSONResponse:
        # An outage delays work; it is not the user's fault and nothing was half-written
        # (every write is a transaction), so the request can simply be repeated.
        if not isinstance(exc, ConnectionFailure | ExecutionTimeout | WaitQueueTimeoutError):
            raise exc
        return JSONResponse(
            {"message": "The database is not available right now; try again shortly", "errors": []},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Request refused"
        return JSONResponse(
            {"message": detail, "errors": []}, status_code=exc.status_code, headers=exc.headers
        )
