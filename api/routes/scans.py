"""Scan workflows: start one, follow its stages, cancel it, roll it back."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api import consistency
from api.auth import Permission
from api.commanding import run_command, write_accepted
from api.consistency import ReadAfter
from api.deps import ContainerDep, MetaDep, requires
from api.problems import SECURED, BadQueryError, NotYetVisibleError, documented
from api.schemas import ExecuteScanBody, ScanStarted, WriteAccepted
from commands.messages import CancelScan, DiscoveryAccepted, Receipt, RequestScan, RollBackScan
from domain.meta import EventMeta
from infra.bootstrap import Container
from infra.inventory import assets_of

router = APIRouter(
    prefix="/api/v1/scan", tags=["scan workflows"], responses=documented(*SECURED, 404, 409, 503)
)

POLL_SECONDS = 0.05


def workflow_location(workflow_id: str) -> str:
    return f"{router.prefix}/workflows/{workflow_id}"


async def start_scan(
    container: Container, cmd: RequestScan, meta: EventMeta, response: Response
) -> ScanStarted:
    """Request the scan and answer 202 with where to follow it."""

    def request(cmd: RequestScan, meta: EventMeta) -> DiscoveryAccepted:
        return container.scans.request(cmd, meta, container.compliance.check_policies)

    started = await run_command(request, cmd, meta)
    token = consistency.encode(started.receipt)
    response.headers["X-Consistency-Token"] = token
    response.headers["Location"] = workflow_location(started.workflow_id)
    return ScanStarted(
        workflow_id=started.workflow_id,
        data_source_id=str(cmd.data_source_id),
        consistency_token=token,
    )


@router.post("/workflow/execute", status_code=202, dependencies=[requires(Permission.SCANS_RUN)])
async def execute_scan(
    body: ExecuteScanBody, container: ContainerDep, meta: MetaDep, response: Response
) -> ScanStarted:
    """Start a scan workflow; its stages run one after the other, visible as they go."""
    cmd = RequestScan(body.data_source_id, body.stages, body.policy_ids)
    return await start_scan(container, cmd, meta, response)


@router.get("/workflows", dependencies=[requires(Permission.SOURCES_READ)])
async def list_workflows(
    container: ContainerDep,
    data_source_id: UUID | None = None,
    status: Annotated[
        str | None, Query(pattern="^(pending|running|completed|failed|cancelled)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Workflows, newest first."""
    try:
        page = await container.scan_view().list(
            limit=limit, cursor=cursor, data_source_id=data_source_id, status=status
        )
    except ValueError as error:
        raise BadQueryError(str(error)) from None
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/workflows/{workflow_id}", dependencies=[requires(Permission.SOURCES_READ)])
async def get_workflow(
    workflow_id: UUID,
    container: ContainerDep,
    waited: ReadAfter,
) -> dict[str, Any]:
    """The workflow with each stage's status, attempts and times. One just requested is
    waited for (bounded) until the read model shows it; given a write's consistency token, it
    shows that write."""
    view = container.scan_view()
    found = await view.get(workflow_id)
    if found is not None:
        return found
    await asyncio.to_thread(container.scans.get, workflow_id)  # 404 if it never existed
    deadline = asyncio.get_running_loop().time() + container.settings.read_wait_timeout
    while found is None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        found = await view.get(workflow_id)
    if found is None:  # it exists: the read model is behind, as with a token's wait
        raise NotYetVisibleError(
            f"the read model does not show scan workflow {workflow_id} yet; retry shortly"
        )
    return found


@router.post(
    "/workflows/{workflow_id}/cancel",
    status_code=202,
    dependencies=[requires(Permission.SCANS_RUN)],
)
async def cancel_workflow(
    workflow_id: UUID, container: ContainerDep, meta: MetaDep, response: Response
) -> WriteAccepted:
    """Stop the workflow after its current stage."""
    receipt = await run_command(container.scans.cancel, CancelScan(workflow_id), meta)
    return write_accepted(receipt, response, workflow_location(str(workflow_id)))


@router.post(
    "/workflows/{workflow_id}/rollback",
    status_code=202,
    dependencies=[requires(Permission.SCANS_RUN)],
)
async def roll_back_workflow(
    workflow_id: UUID, container: ContainerDep, meta: MetaDep, response: Response
) -> WriteAccepted:
    """Revert the classifications the ended workflow made automatically (compensating events);
    steward decisions stay."""
    workflow = await asyncio.to_thread(container.scans.get, workflow_id)
    async with container.connection() as conn:
        found = await assets_of(conn, [workflow.data_source_id])
    asset_ids = found.get(workflow.data_source_id, [])

    def roll_back(cmd: RollBackScan, meta: EventMeta) -> Receipt:
        return container.scans.roll_back(cmd, asset_ids, meta)

    receipt = await run_command(roll_back, RollBackScan(workflow_id), meta)
    return write_accepted(receipt, response, workflow_location(str(workflow_id)))
