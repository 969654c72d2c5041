"""The scan process manager: carries out each workflow's next step.

It reacts to the workflow's own events (a Faust agent on the scans topic) and to a timer (for
time-outs and retries that fall due, and to resume after a restart). The workflow decides what
is due, so a step asked for twice is taken once. Edge stages are handed to edge agents through
the stage's event; evaluate and report run here.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
import structlog
from eventsourcing.persistence import OperationalError as StoreOperationalError
from psycopg import AsyncConnection

from commands.compliance import Compliance
from commands.scans import ScanWorkflows
from domain.errors import DomainError
from domain.meta import EventMeta
from domain.scans import EDGE_STAGES, Step
from infra.inventory import assets_of
from infra.read_models import active_workflows
from streams.retries import database_retries

log = structlog.get_logger()

TRANSIENT = (psycopg.OperationalError, StoreOperationalError)


class ProcessManager:
    def __init__(self, scans: ScanWorkflows, compliance: Compliance, dsn: str) -> None:
        self.scans = scans
        self.compliance = compliance
        self.dsn = dsn
        self._running: set[tuple[UUID, str, int]] = set()  # in-process stages run here now
        self._conn: AsyncConnection[Any] | None = None

    async def on_event(self, envelope: dict[str, Any]) -> None:
        if envelope.get("aggregatetype") == "ScanWorkflow":
            await self.advance(UUID(envelope["subject"]))

    async def tick(self) -> None:
        """Look after every workflow not ended: due retries, time-outs, orphaned stages."""
        async for attempt in database_retries(lambda _: self._reset()):
            with attempt:
                workflows = await active_workflows(await self._connection())
        for workflow_id in workflows:
            await self.advance(workflow_id)

    async def advance(self, workflow_id: UUID) -> None:
        """Take due steps until the workflow waits (for an agent, a retry's time) or ends."""
        while True:
            try:
                step = await asyncio.to_thread(self.scans.advance, workflow_id, _now())
            except DomainError as error:
                log.warning("scan_step_refused", workflow_id=str(workflow_id), error=str(error))
                return
            if step is None or (step.stage in EDGE_STAGES and step.action == "start"):
                return
            if step.action in ("start", "run") and not await self._run_here(workflow_id, step):
                return

    async def _run_here(self, workflow_id: UUID, step: Step) -> bool:
        """Run an in-process stage's attempt unless this process runs it already."""
        assert step.stage is not None
        key = (workflow_id, step.stage, step.attempt)
        if key in self._running:
            return False
        self._running.add(key)
        log.info("scan_stage_running", workflow_id=str(workflow_id), stage=step.stage)
        try:
            summary = await self._run(workflow_id, step.stage)
        except TRANSIENT as error:
            await self._fail(
                workflow_id, step, f"database unavailable ({type(error).__name__})", True
            )
        except DomainError as error:
            await self._fail(workflow_id, step, str(error), False)
        except Exception as error:
            log.exception("scan_stage_crashed", workflow_id=str(workflow_id), stage=step.stage)
            await self._fail(workflow_id, step, f"the stage failed ({type(error).__name__})", False)
        else:
            await asyncio.to_thread(
                self.scans.complete_stage, workflow_id, step.stage, step.attempt, summary, _now()
            )
        finally:
            self._running.discard(key)
        return True

    async def _run(self, workflow_id: UUID, stage: str) -> dict[str, Any]:
        meta: EventMeta = {
            "actor": "process-manager",
            "correlation_id": str(workflow_id),
            "causation_id": f"{workflow_id}:{stage}",
        }
        if stage == "evaluate":
            workflow = await asyncio.to_thread(self.scans.get, workflow_id)
            found = await assets_of(await self._connection(), [workflow.data_source_id])
            asset_ids = found.get(workflow.data_source_id, [])
            return await asyncio.to_thread(
                self.compliance.evaluate_for, workflow_id, asset_ids, meta
            )
        report = await asyncio.to_thread(self.compliance.report, workflow_id)
        return {
            "counts": report["counts"],
            "opened": len(report["changes"]["opened"]),
            "resolved": len(report["changes"]["resolved"]),
        }

    async def _fail(self, workflow_id: UUID, step: Step, reason: str, transient: bool) -> None:
        assert step.stage is not None
        log.warning(
            "scan_stage_failed", workflow_id=str(workflow_id), stage=step.stage, reason=reason
        )
        await asyncio.to_thread(
            self.scans.fail_stage, workflow_id, step.stage, step.attempt, reason, transient, _now()
        )

    def _reset(self) -> None:
        self._conn = None

    async def _connection(self) -> AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = await AsyncConnection.connect(self.dsn, autocommit=True)
        return self._conn


def _now() -> datetime:
    return datetime.now(UTC)
