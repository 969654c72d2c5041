"""Data sources: the command side (register, update, decommission) and the query side."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.auth import Permission
from api.commanding import run_command, write_accepted
from api.consistency import ReadAfter
from api.deps import ContainerDep, MetaDep, requires
from api.problems import SECURED, BadQueryError, documented
from api.routes.scans import start_scan
from api.schemas import (
    DecommissionDataSourceBody,
    DiscoverBody,
    RegisterDataSourceBody,
    ScanStarted,
    UpdateDataSourceBody,
    WriteAccepted,
)
from commands.messages import (
    DecommissionDataSource,
    Receipt,
    RegisterDataSource,
    RequestScan,
    UpdateDataSource,
)
from domain.errors import NotFoundError
from domain.scans import DISCOVERY_STAGES

router = APIRouter(
    prefix="/api/v1/data-sources",
    tags=["data sources"],
    responses=documented(*SECURED, 404, 409, 503),
)


def accepted(receipt: Receipt, response: Response) -> WriteAccepted:
    return write_accepted(receipt, response, f"{router.prefix}/{receipt.aggregate_id}")


@router.post("", status_code=201, dependencies=[requires(Permission.SOURCES_WRITE)])
async def register_data_source(
    body: RegisterDataSourceBody, container: ContainerDep, meta: MetaDep, response: Response
) -> WriteAccepted:
    cmd = RegisterDataSource(**body.model_dump())
    return accepted(await run_command(container.data_sources.register, cmd, meta), response)


@router.post("/discover", status_code=202, dependencies=[requires(Permission.SOURCES_WRITE)])
async def discover_data_source(
    body: DiscoverBody, container: ContainerDep, meta: MetaDep, response: Response
) -> ScanStarted:
    """Discover, profile and classify the source: a scan workflow of the first three stages,
    run by an edge agent; the catalog fills as its results arrive."""
    cmd = RequestScan(body.data_source_id, DISCOVERY_STAGES, policy_ids=None)
    return await start_scan(container, cmd, meta, response)


@router.patch("/{data_source_id}", dependencies=[requires(Permission.SOURCES_WRITE)])
async def update_data_source(
    data_source_id: UUID,
    body: UpdateDataSourceBody,
    container: ContainerDep,
    meta: MetaDep,
    response: Response,
) -> WriteAccepted:
    cmd = UpdateDataSource(data_source_id=data_source_id, **body.model_dump())
    return accepted(await run_command(container.data_sources.update, cmd, meta), response)


@router.post("/{data_source_id}/decommission", dependencies=[requires(Permission.SOURCES_WRITE)])
async def decommission_data_source(
    data_source_id: UUID,
    container: ContainerDep,
    meta: MetaDep,
    response: Response,
    body: DecommissionDataSourceBody | None = None,
) -> WriteAccepted:
    body = body or DecommissionDataSourceBody()
    cmd = DecommissionDataSource(data_source_id=data_source_id, **body.model_dump())
    return accepted(await run_command(container.data_sources.decommission, cmd, meta), response)


@router.get("", dependencies=[requires(Permission.SOURCES_READ)])
async def list_data_sources(
    container: ContainerDep,
    waited: ReadAfter,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    status: Annotated[str | None, Query(pattern="^(active|decommissioned)$")] = None,
) -> dict[str, Any]:
    view = container.source_view()
    try:
        page = await view.list(limit=limit, cursor=cursor, status=status)
    except ValueError as error:
        raise BadQueryError(str(error)) from None
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{data_source_id}", dependencies=[requires(Permission.SOURCES_READ)])
async def get_data_source(
    data_source_id: UUID,
    container: ContainerDep,
    waited: ReadAfter,
) -> dict[str, Any]:
    min_version = waited.version if waited and waited.aggregate_id == data_source_id else 0
    view = container.source_view()
    found = await view.get(data_source_id, min_version)
    if found is None:
        raise NotFoundError("data source", data_source_id)
    return {**found, "classification_counts": await view.classification_counts(data_source_id)}
