"""RFC 9457 problem details: every error family maps to one status, here and nowhere else."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import AuthenticationError, PermissionDeniedError
from api.deps import check_access
from domain.errors import ConflictError, InvalidCommandError, NotFoundError

log = structlog.get_logger()

MEDIA_TYPE = "application/problem+json"
_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "for 422: each invalid field's location, message and error type",
            "items": {"type": "object"},
        },
    },
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries of these error statuses: RFC 9457 problem details."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {MEDIA_TYPE: {"schema": _SCHEMA}},
        }
        for status in statuses
    }


# What every authenticated route can answer; routers add their own.
SECURED = (401, 403, 422)


class BodyTooLargeError(Exception):
    """A request body read in chunks went over the limit (413)."""


# Set in the request's state when BodyTooLargeError stopped FastAPI reading the body: FastAPI
# reports any failure to read a body as 400, which this turns back into the 413 it was.
BODY_TOO_LARGE = "body_too_large"
# No command needs more, and its event would be too large for one Kafka message.
MAX_BODY_BYTES = 1024 * 1024


def body_too_large() -> JSONResponse:
    limit = f"{MAX_BODY_BYTES // 1024} KiB"
    return problem(413, "too-large", "Content too large", f"the request body is over {limit}")


def not_json(media_type: str) -> JSONResponse:
    detail = f"the body must be application/json, not {media_type or 'unlabelled'}"
    return problem(415, "unsupported-media-type", "Unsupported media type", detail[:200])


def nul_in_query() -> JSONResponse:
    detail = "query parameters must not contain the NUL character (%00)"
    return problem(422, "validation", "Invalid request", detail)


class NotYetVisibleError(Exception):
    """The read model did not reach the requested consistency token in time (503)."""


class BadQueryError(Exception):
    """A query parameter that passed type checks but means nothing (422), e.g. a bad cursor."""


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """One problem-details response."""
    body = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def unauthenticated_problem(error: AuthenticationError) -> JSONResponse:
    return problem(
        401,
        "unauthenticated",
        "Unauthenticated",
        str(error),
        headers={"WWW-Authenticate": 'Bearer realm="datawave"'},
    )


def forbidden_problem(error: PermissionDeniedError) -> JSONResponse:
    return problem(
        403, "forbidden", "Forbidden", f"your roles do not grant {error.permission.value}"
    )


def _first_of(errors: list[dict[str, Any]]) -> str:
    """A schema violation's detail, in the domain's `field: reason` form: the first problem,
    and how many more `errors` lists."""
    if not errors:
        return "the request does not match the schema"
    first = errors[0]
    if first["type"] == "json_invalid":
        text = "the body is not valid JSON"
    else:
        loc = first["loc"]
        where = loc[1:] if loc[:1] == ["body"] and len(loc) > 1 else loc
        text = f"{'.'.join(where)}: {first['msg']}"
    more = len(errors) - 1
    return f"{text} (and {more} more)" if more else text


def install(app: FastAPI) -> None:
    """Register the handlers: routes raise domain errors, never build error responses."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI parses the body before it runs the route's dependencies: who asks, and whether
        # they may, comes first, or an anonymous caller would learn the schema from the 422.
        try:
            check_access(request)
        except AuthenticationError as refused:
            return unauthenticated_problem(refused)
        except PermissionDeniedError as refused:
            return forbidden_problem(refused)
        # Never echo the input back: it may hold a password.
        errors = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": e.get("msg", ""),
                "type": e.get("type"),
            }
            for e in error.errors()
        ]
        return problem(422, "validation", "Invalid request", _first_of(errors), errors=errors)

    @app.exception_handler(InvalidCommandError)
    async def invalid_command(_: Request, error: InvalidCommandError) -> JSONResponse:
        return problem(
            422,
            "validation",
            "Invalid request",
            str(error),
            errors=[{"loc": ["body", *error.field.split(".")], "msg": error.reason}],
        )

    @app.exception_handler(BadQueryError)
    async def bad_query(_: Request, error: BadQueryError) -> JSONResponse:
        return problem(422, "validation", "Invalid request", str(error))

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, error: NotFoundError) -> JSONResponse:
        return problem(404, "not-found", "Not found", str(error))

    @app.exception_handler(ConflictError)
    async def conflict(_: Request, error: ConflictError) -> JSONResponse:
        return problem(409, "conflict", "Conflict", str(error))

    @app.exception_handler(AuthenticationError)
    async def unauthenticated(_: Request, error: AuthenticationError) -> JSONResponse:
        return unauthenticated_problem(error)

    @app.exception_handler(PermissionDeniedError)
    async def forbidden(_: Request, error: PermissionDeniedError) -> JSONResponse:
        return forbidden_problem(error)

    @app.exception_handler(NotYetVisibleError)
    async def not_yet_visible(_: Request, error: NotYetVisibleError) -> JSONResponse:
        return problem(
            503, "not-yet-visible", "Not yet visible", str(error), headers={"Retry-After": "1"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if getattr(request.state, BODY_TOO_LARGE, False):
            return body_too_large()
        if error.status_code == 400:  # FastAPI could not parse the body (e.g. nested too deep)
            return problem(422, "validation", "Invalid request", "the body is not valid JSON")
        titles = {404: "Not found", 405: "Method not allowed"}
        return problem(
            error.status_code,
            "http",
            titles.get(error.status_code, "HTTP error"),
            str(error.detail),
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.error("unhandled_error", error=type(error).__name__)
        return problem(
            500, "internal", "Internal error", "the server could not complete the request"
        )
