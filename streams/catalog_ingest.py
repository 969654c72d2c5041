"""The catalog ingest agent: turns edge agents' results into commands on the event store.

A result is a batch of observed tables or the end of a scan stage's attempt. Every step is
idempotent, so a redelivered message (at-least-once) or a job an agent redid after a crash
changes nothing twice: asset ids follow from source and table, unchanged tables append nothing,
and only the attempt the workflow is running may end it, once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog
from psycopg import AsyncConnection

from commands.catalog import Catalog
from commands.data_sources import DataSources
from commands.scans import ScanWorkflows
from domain.catalog import asset_id
from domain.errors import NotFoundError
from domain.meta import EventMeta
from infra.inventory import mark_gone, mark_seen, unseen
from streams.retries import database_retries

log = structlog.get_logger()

GONE_REASON = "no longer found at the source"


class CatalogIngest:
    def __init__(
        self, catalog: Catalog, sources: DataSources, scans: ScanWorkflows, dsn: str
    ) -> None:
        self.catalog = catalog
        self.sources = sources
        self.scans = scans
        self.dsn = dsn
        self._conn: AsyncConnection[Any] | None = None

    async def handle(self, result: dict[str, Any]) -> None:
        source_id = UUID(result["data_source_id"])
        workflow_id = str(result["workflow_id"])
        meta: EventMeta = {
            "actor": f"edge-agent:{result.get('agent', 'unknown')}",
            "correlation_id": workflow_id,
            "causation_id": f"{workflow_id}:{result['type']}:{result.get('batch', 0)}",
        }
        try:
            async for attempt in database_retries(lambda _: self._reset()):
                with attempt:
                    await self._handle_once(source_id, workflow_id, result, meta)
        except NotFoundError as error:
            log.warning("edge_result_for_unknown_aggregate", error=str(error))
        except Exception:  # a result that cannot be applied is logged, never silently dropped
            log.exception("edge_result_failed", workflow_id=workflow_id, type=result["type"])

    async def _handle_once(
        self, source_id: UUID, workflow_id: str, result: dict[str, Any], meta: EventMeta
    ) -> None:
        workflow = await asyncio.to_thread(self.scans.get, UUID(workflow_id))
        if not workflow.running(result.get("stage", ""), result.get("attempt", 0)):
            # Redelivered after the attempt ended, or an attempt the workflow gave up on.
            log.info("edge_result_for_ended_attempt", workflow_id=workflow_id)
            return
        if result["type"] == "tables":
            await self._ingest(source_id, workflow_id, result, meta)
        elif result["type"] == "finished":
            await self._finish(source_id, workflow_id, result, meta)

    async def _ingest(
        self, source_id: UUID, workflow_id: str, result: dict[str, Any], meta: EventMeta
    ) -> None:
        tables: list[dict[str, Any]] = result["tables"]
        ingested = await asyncio.to_thread(self.catalog.ingest, source_id, tables, meta)
        names = {t["qualified_name"] for t in tables} | {s["table"] for s in result["skipped"]}
        conn = await self._connection()
        await mark_seen(conn, source_id, workflow_id, [(n, asset_id(source_id, n)) for n in names])
        log.info(
            "catalog_batch_ingested",
            workflow_id=workflow_id,
            tables=len(tables),
            discovered=ingested.discovered,
            changed=ingested.changed,
        )

    async def _finish(
        self, source_id: UUID, workflow_id: str, result: dict[str, Any], meta: EventMeta
    ) -> None:
        stage, attempt, now = result["stage"], int(result["attempt"]), datetime.now(UTC)
        if result["status"] == "completed":
            summary = {"tables": result["tables"], "skipped": result["skipped"]}
            if stage == "discover":
                summary["removed"] = await self._retire_unseen(source_id, workflow_id, meta)
            await asyncio.to_thread(
                self.scans.complete_stage, UUID(workflow_id), stage, attempt, summary, now
            )
        else:
            await asyncio.to_thread(
                self.scans.fail_stage,
                UUID(workflow_id),
                stage,
                attempt,
                str(result["reason"]),
                bool(result.get("transient", False)),
                now,
            )
        log.info(
            "edge_stage_recorded", workflow_id=workflow_id, stage=stage, status=result["status"]
        )

    async def _retire_unseen(self, source_id: UUID, workflow_id: str, meta: EventMeta) -> int:
        """Decommission the live tables this discovery did not see. Only the source's latest
        discovery may: an older one that finishes late never saw what a newer one found."""
        source = await asyncio.to_thread(self.sources.get_source, source_id)
        if source.last_discovery != workflow_id:
            return 0
        conn = await self._connection()
        gone = await unseen(conn, source_id, workflow_id)
        removed = await asyncio.to_thread(
            self.catalog.decommission, [a for _, a in gone], GONE_REASON, meta
        )
        await mark_gone(conn, source_id, [name for name, _ in gone])
        return int(removed)

    def _reset(self) -> None:
        self._conn = None  # a broken connection is replaced on the next try

    async def _connection(self) -> AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = await AsyncConnection.connect(self.dsn, autocommit=True)
        return self._conn
