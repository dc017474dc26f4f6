"""RFC 9457 problem details: every error leaves the API as application/problem+json."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from aimstrace.graph.store import StoreError
from aimstrace.graph.store.sparql import UpdateRefused

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://w3id.org/aimstrace/problems/"
log = logging.getLogger("aimstrace.api")


class InvalidParam(BaseModel):
    """One rejected input: where it was and why."""

    field: str = Field(description="the parameter, e.g. `query.limit` or `body.parameters.id`")
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(default="about:blank")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    field: str | None = Field(default=None, description="the input at fault, if one is")
    reason: str | None = Field(default=None, description="why that input was refused")
    invalid_params: list[InvalidParam] | None = None
    request_id: str | None = None


class ApiProblem(Exception):
    """Raised by routes and dependencies to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        field: str | None = None,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.field = field
        self.reason = reason
        self.headers = headers or {}
        self.invalid: list[InvalidParam] | None = None


def not_found(what: str, identifier: str, field: str = "path.id") -> ApiProblem:
    """The 404 problem for an unknown id."""
    return ApiProblem(
        404, f"no {what} with id {identifier!r}", kind="not-found", field=field, reason="unknown id"
    )


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    *,
    kind: str | None = None,
    field: str | None = None,
    reason: str | None = None,
    invalid: list[InvalidParam] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build the problem+json response (with the request id, for support)."""
    problem = Problem(
        type=PROBLEM_BASE + kind if kind else "about:blank",
        title=_title(status),
        status=status,
        detail=detail,
        instance=request.url.path,
        field=field,
        reason=reason,
        invalid_params=invalid,
        request_id=getattr(request.state, "request_id", None),
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        request,
        exc.status,
        exc.detail,
        kind=exc.kind,
        field=exc.field,
        reason=exc.reason,
        invalid=exc.invalid,
        headers=exc.headers,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    invalid = [
        InvalidParam(field=_location(err.get("loc", ())), reason=str(err.get("msg", "invalid")))
        for err in exc.errors()
    ]
    first = invalid[0] if invalid else InvalidParam(field="request", reason="invalid")
    return problem_response(
        request,
        422,
        f"invalid input at {first.field}: {first.reason}",
        kind="invalid-input",
        field=first.field,
        reason=first.reason,
        invalid=invalid,
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Several routes may share a path (GET and POST /sparql); name every method they allow.
        allowed: set[str] = set()
        # Read from the OpenAPI paths: routes of included routers are nested, the schema is not.
        for template, operations in request.app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            if re.fullmatch(pattern, request.url.path):
                allowed |= {method.upper() for method in operations}
        allowed.discard("HEAD")
        headers["Allow"] = ", ".join(sorted(allowed))
    return problem_response(request, exc.status_code, str(exc.detail), headers=headers)


async def _on_update_refused(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request, 403, str(exc), kind="update-refused", field="query", reason="SPARQL update"
    )


async def _on_store_error(request: Request, exc: Exception) -> JSONResponse:
    # Store errors carry a message written for users (what was wrong and where).
    return problem_response(request, 400, str(exc), kind="bad-request")


async def _on_value_error(request: Request, exc: Exception) -> JSONResponse:
    # The engine raises ValueError for bad user input, with a message written for users.
    return problem_response(request, 422, str(exc), kind="invalid-input", reason="invalid value")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled error",
        exc_info=exc,
        extra={"request_id": getattr(request.state, "request_id", None)},
    )
    return problem_response(
        request, 500, "internal error; the server log has the details under this request id"
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error the app can raise to a problem+json answer."""
    app.add_exception_handler(ApiProblem, _on_api_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(UpdateRefused, _on_update_refused)
    app.add_exception_handler(StoreError, _on_store_error)
    app.add_exception_handler(ValueError, _on_value_error)
    app.add_exception_handler(Exception, _on_unexpected)
