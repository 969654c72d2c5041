"""The catalog ingest on real PostgreSQL: only the attempt a scan workflow is running may change
the catalog or end its stage; a discovery retires the tables it did not see; a failure is
retried or fails the workflow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import pytest_asyncio

from commands.catalog import Catalog
from commands.data_sources import DataSources
from commands.messages import RegisterDataSource, RequestScan
from commands.scans import ScanWorkflows
from domain.catalog import asset_id
from domain.errors import ScanRunningError
from domain.scans import RetryPolicy, Step
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_catalog, open_event_store, open_scans
from streams.catalog_ingest import GONE_REASON, CatalogIngest
from tests.support import META

RETRY = RetryPolicy(max_attempts=3, backoff_seconds=60, timeout_seconds=3600)


def table(name: str) -> dict[str, Any]:
    column = {"name": "id", "data_type": "integer", "nullable": False, "profile": None}
    return {"qualified_name": name, "kind": "table", "columns": [column]}


@dataclass
class Scanning:
    """One source, the applications the catalog ingest works with, and the ingest itself."""

    sources: DataSources
    catalog: Catalog
    scans: ScanWorkflows
    ingest: CatalogIngest
    source_id: UUID

    def request(self, *stages: str) -> UUID:
        return UUID(self.scans.request(RequestScan(self.source_id, list(stages)), META).workflow_id)

    def start(self, workflow_id: UUID, stage: str, attempt: int = 1, later: float = 0) -> None:
        """The process manager starts the attempt (`later` seconds from now: past a retry's
        wait)."""
        now = datetime.now(UTC) + timedelta(seconds=later)
        assert self.scans.advance(workflow_id, now) == Step("start", stage, attempt)

    def header(self, workflow_id: UUID, stage: str, attempt: int = 1) -> dict[str, Any]:
        return {
            "workflow_id": str(workflow_id),
            "data_source_id": str(self.source_id),
            "stage": stage,
            "attempt": attempt,
            "agent": "t",
        }

    def tables(
        self, workflow_id: UUID, names: list[str], stage: str = "discover", attempt: int = 1
    ) -> dict[str, Any]:
        """One batch of observed tables, as an edge agent reports it."""
        return {
            **self.header(workflow_id, stage, attempt),
            "type": "tables",
            "batch": 1,
            "tables": [table(n) for n in names],
            "skipped": [],
        }

    def finished(
        self, workflow_id: UUID, tables: int, stage: str = "discover", attempt: int = 1
    ) -> dict[str, Any]:
        """The attempt's successful end, as an edge agent reports it."""
        return {
            **self.header(workflow_id, stage, attempt),
            "type": "finished",
            "status": "completed",
            "tables": tables,
            "batches": 1,
            "skipped": [],
        }

    def failed(
        self, workflow_id: UUID, reason: str, transient: bool, stage: str = "discover"
    ) -> dict[str, Any]:
        return {
            **self.header(workflow_id, stage),
            "type": "finished",
            "status": "failed",
            "reason": reason,
            "transient": transient,
        }

    def asset(self, name: str) -> Any:
        return self.catalog.get_asset(asset_id(self.source_id, name))

    def head(self) -> int:
        """The event store's highest position: it moves with every stored event."""
        return int(self.sources.recorder.max_notification_id() or 0)


@pytest_asyncio.fixture(loop_scope="function")  # the test's loop: the ingest connects in it
async def scanning(database: str) -> AsyncIterator[Scanning]:
    create_schema(database)
    sources = open_event_store(database, AesGcmSecretBox("k"))
    catalog = open_catalog(database)
    scans = open_scans(database, RETRY)
    source = sources.register(RegisterDataSource("db", "sqlite", {"path": "/srv/x.db"}), META)
    ingest = CatalogIngest(catalog, sources, scans, database)
    yield Scanning(sources, catalog, scans, ingest, source.aggregate_id)
    # The ingest keeps its connection for the life of its process and has no close of its own.
    if ingest._conn is not None:
        await ingest._conn.close()
    scans.close()
    catalog.close()
    sources.close()


async def test_a_result_for_an_attempt_the_workflow_is_not_running_changes_nothing(
    scanning: Scanning,
) -> None:
    workflow = scanning.request("discover")
    scanning.start(workflow, "discover")
    # A report for an attempt that was never started.
    await scanning.ingest.handle(scanning.tables(workflow, ["early"], attempt=2))
    await scanning.ingest.handle(scanning.finished(workflow, 1, attempt=2))
    assert scanning.asset("early") is None
    assert scanning.scans.get(workflow).running("discover", 1)

    await scanning.ingest.handle(scanning.tables(workflow, ["a"]))
    await scanning.ingest.handle(scanning.finished(workflow, 1))
    assert scanning.scans.get(workflow).status == "completed"
    head = scanning.head()
    # Redelivered, or late from an agent that redid the job: the attempt is over.
    await scanning.ingest.handle(scanning.tables(workflow, ["a", "late"]))
    await scanning.ingest.handle(scanning.failed(workflow, "connection reset", transient=True))
    await scanning.ingest.handle(scanning.finished(workflow, 2))
    assert scanning.asset("late") is None
    assert scanning.scans.get(workflow).status == "completed"
    assert scanning.head() == head

    # An attempt the workflow gave up on, reporting after the retry started.
    retried = scanning.request("discover")
    scanning.start(retried, "discover")
    await scanning.ingest.handle(scanning.failed(retried, "connection refused", transient=True))
    scanning.start(retried, "discover", attempt=2, later=RETRY.backoff_seconds + 1)
    await scanning.ingest.handle(scanning.tables(retried, ["stale"]))
    await scanning.ingest.handle(scanning.finished(retried, 1))
    assert scanning.asset("stale") is None
    assert scanning.scans.get(retried).running("discover", 2)


async def test_a_discovery_retires_the_tables_it_did_not_see_and_completes_with_its_summary(
    scanning: Scanning,
) -> None:
    first = scanning.request("discover")
    scanning.start(first, "discover")
    with pytest.raises(ScanRunningError):
        scanning.request("discover")  # one scan of a source at a time
    await scanning.ingest.handle(scanning.tables(first, ["a", "b", "c"]))
    await scanning.ingest.handle(scanning.finished(first, 3))
    assert scanning.scans.get(first).summary_of("discover") == {
        "tables": 3,
        "skipped": [],
        "removed": 0,
    }

    second = scanning.request("discover", "profile")
    scanning.start(second, "discover")
    await scanning.ingest.handle(scanning.tables(second, ["a", "b"]))
    await scanning.ingest.handle(scanning.finished(second, 2))
    workflow = scanning.scans.get(second)
    assert workflow.summary_of("discover") == {"tables": 2, "skipped": [], "removed": 1}
    assert workflow.stages["discover"]["status"] == "completed"
    gone = scanning.asset("c")
    assert gone is not None and gone.decommissioned
    assert all(not scanning.asset(n).decommissioned for n in ("a", "b"))
    retired = [
        e for e in scanning.catalog.events.get(gone.id) if type(e).__name__ == "Decommissioned"
    ]
    assert [e.reason for e in retired] == [GONE_REASON]

    # Only a discovery retires: a profile that reports fewer tables leaves the others live.
    scanning.start(second, "profile")
    await scanning.ingest.handle(scanning.tables(second, ["a"], stage="profile"))
    await scanning.ingest.handle(scanning.finished(second, 1, stage="profile"))
    workflow = scanning.scans.get(second)
    assert workflow.status == "completed"
    assert workflow.summary_of("profile") == {"tables": 1, "skipped": []}
    assert not scanning.asset("b").decommissioned
    assert scanning.sources.get_source(scanning.source_id).active_scan is None


@pytest.mark.parametrize("transient", [True, False])
async def test_a_failed_attempt_is_retried_if_transient_else_fails_the_workflow(
    scanning: Scanning, transient: bool
) -> None:
    workflow_id = scanning.request("discover")
    scanning.start(workflow_id, "discover")
    reason = "connection refused" if transient else "password authentication failed"
    await scanning.ingest.handle(scanning.failed(workflow_id, reason, transient))
    workflow = scanning.scans.get(workflow_id)
    stage = workflow.stages["discover"]
    active = scanning.sources.get_source(scanning.source_id).active_scan
    if transient:
        assert (workflow.status, stage["status"], stage["reason"]) == ("running", "waiting", reason)
        assert stage["retry_at"] is not None
        assert active == str(workflow_id)  # the source stays taken until the retry ends
    else:
        assert (workflow.status, stage["status"]) == ("failed", "failed")
        assert workflow.reason == f"stage discover failed after 1 attempt: {reason}"
        assert active is None
