"""The HTTP application: routers, problem details, request context and latency metrics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems
from api.auth import TokenVerifier
from api.routes import assets, audit, compliance, data_sources, health, rule_sets, scans
from infra.bootstrap import Container
from infra.metrics import HTTP_LATENCY

log = structlog.get_logger()

COMMAND_THREADS = 32


def create_app(container: Container) -> FastAPI:
    """One FastAPI app serving commands, queries, audit and operations."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Commands run in threads (the eventsourcing API is synchronous); more threads than
        # asyncio's default (cores + 4) let more of them share one group commit.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=COMMAND_THREADS, thread_name_prefix="command")
        )
        await container.open_read_pool()
        yield
        await container.close()

    app = FastAPI(
        title="DataWave",
        version="0.1.0",
        openapi_url="/openapi.json",
        lifespan=lifespan,
        # Metrics are Prometheus's (/metrics). FastAPI's OpenTelemetry hooks would look up the
        # global providers on every request (~2.5% of a request's CPU), and their "logs" record
        # validation failures with the offending input, which can be a DSN with its password.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.container = container
    # The key is read once: when it is kept in the data folder, not a file read per request.
    app.state.tokens = TokenVerifier(container.settings.jwt_key())
    problems.install(app)
    for module in (health, data_sources, assets, rule_sets, scans, compliance, audit):
        app.include_router(module.router)

    app.add_middleware(RequestContext)
    return app


class RequestContext:
    """Pure ASGI middleware: request and correlation ids (bound to the log context, echoed in
    headers), one log line and one latency sample per request, and the limits on any request
    (see `_refusal`). Starlette's BaseHTTPMiddleware would do the same at about a fifth of a
    request's CPU time (a task group and a stream each)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        correlation_id = _header(scope, b"x-correlation-id")[:100] or request_id
        state = scope.setdefault("state", {})
        state["request_id"], state["correlation_id"] = request_id, correlation_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        ids = [
            (b"x-request-id", request_id.encode()),
            (b"x-correlation-id", correlation_id.encode()),
        ]
        status = 500
        started = time.perf_counter()

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *ids]
            await send(message)

        try:
            refusal = _refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send_with_ids)
            else:
                await self.app(scope, _counting(scope, receive), send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_LATENCY.labels(scope["method"], route, str(status)).observe(elapsed)
            log.info(
                "http_request",
                method=scope["method"],
                route=route,
                status=status,
                ms=round(elapsed * 1000, 1),
            )


def _refusal(scope: Scope) -> Response | None:
    """A query string holding a NUL character, which no text column can hold, is 422; a body
    declared over MAX_BODY_BYTES (problems.py) is 413 before anything reads it; a body that does
    not say it is JSON is 415 (every body this API takes is JSON)."""
    if b"%00" in scope["query_string"]:
        return problems.nul_in_query()
    declared = _header(scope, b"content-length")
    if declared.isascii() and declared.isdigit() and int(declared) > problems.MAX_BODY_BYTES:
        return problems.body_too_large()
    if declared not in ("", "0"):
        media_type = _header(scope, b"content-type").partition(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            return problems.not_json(media_type)
    return None


def _counting(scope: Scope, receive: Receive) -> Receive:
    """`receive`, counting a body sent in chunks (without its length) as it comes."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > problems.MAX_BODY_BYTES:
            scope.setdefault("state", {})[problems.BODY_TOO_LARGE] = True
            raise problems.BodyTooLargeError
        return message

    return counted


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""
