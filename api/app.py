"""The HTTP application: routers, problem details, request context and latency metrics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response

from api import problems
from api.routes import audit, data_sources, health
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

    app = FastAPI(title="DataWave", version="0.1.0", openapi_url="/openapi.json", lifespan=lifespan)
    app.state.container = container
    problems.install(app)
    for module in (health, data_sources, audit):
        app.include_router(module.router)

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = str(uuid.uuid4())
        correlation_id = request.headers.get("X-Correlation-ID", "")[:100] or request_id
        request.state.request_id = request_id
        request.state.correlation_id = correlation_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", "unmatched")
        HTTP_LATENCY.labels(request.method, route, str(response.status_code)).observe(elapsed)
        response.headers["X-Request-ID"] = request_id
        response.headers["X-Correlation-ID"] = correlation_id
        log.info(
            "http_request",
            method=request.method,
            route=route,
            status=response.status_code,
            ms=round(elapsed * 1000, 1),
        )
        return response

    return app
