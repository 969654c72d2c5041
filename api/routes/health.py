"""Liveness and readiness (the only routes without a token) and Prometheus metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import Permission
from api.deps import ContainerDep, requires
from api.problems import documented
from infra.kafka import is_reachable
from infra.lag import lags
from infra.metrics import DEAD_LETTERS, PROJECTION_LAG, RELAY_LAG, SCANS
from infra.read_models import parked_count, scan_figures

router = APIRouter(tags=["operations"])

CHECK_TIMEOUT = 3.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(container: ContainerDep) -> JSONResponse:
    async def event_store() -> bool:
        async with container.connection() as conn:
            await conn.execute("SELECT 1")
        return True

    async def redis() -> bool:
        return bool(await container.redis.ping())

    async def kafka() -> bool:
        return await is_reachable(container.endpoints.kafka_bootstrap)

    checks = {"event_store": event_store, "redis": redis, "kafka": kafka}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            ok = await asyncio.wait_for(check(), CHECK_TIMEOUT)
        except Exception:  # noqa: BLE001 - any failure means not ready
            ok = False
        results[name] = "ok" if ok else "unreachable"
    ready = all(v == "ok" for v in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "not-ready", "checks": results},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics", dependencies=[requires(Permission.METRICS_READ)], responses=documented(401, 403)
)
async def metrics(container: ContainerDep) -> Response:
    # Lags and scan figures are read from the database at scrape time, so any API process
    # reports the truth.
    async with container.connection() as conn:
        current = await lags(conn)
        DEAD_LETTERS.set(await parked_count(conn))
        SCANS.figures = await scan_figures(conn)
    RELAY_LAG.set(current.pop("relay"))
    for projection, lag in current.items():
        PROJECTION_LAG.labels(projection).set(lag)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
