"""One error shape for every service: a message people can read, and the field it concerns.

``{"message": "...", "errors": [{"field": "title", "message": "...", "type": "..."}]}``
"""

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure, ExecutionTimeout, PyMongoError, WaitQueueTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException


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
