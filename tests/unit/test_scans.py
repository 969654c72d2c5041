"""Scan workflows on the in-memory event store: stages in order, retries, time-outs, cancel,
roll-back and one scan per source, as a user following a workflow would see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import pytest
from eventsourcing.application import Application

from commands.catalog import Catalog
from commands.data_sources import DataSources
from commands.messages import (
    CancelScan,
    DecommissionDataSource,
    OverrideClassification,
    RegisterDataSource,
    RequestScan,
    RollBackScan,
)
from commands.scans import ScanWorkflows
from domain.catalog import asset_id
from domain.errors import ConflictError, InvalidCommandError, ScanRunningError
from domain.meta import EventMeta
from domain.scans import RetryPolicy, Step, validate_stages

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
META: EventMeta = {"actor": "alice", "correlation_id": "req-1", "causation_id": "req-1"}
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Box:
    def seal(self, plaintext: str) -> str:
        return "sealed:" + plaintext

    def unseal(self, sealed: str) -> str:
        return sealed.removeprefix("sealed:")


A = TypeVar("A", bound=Application[UUID])


def on_store_of(base: Application[UUID], app: A) -> A:
    """`app` on `base`'s in-memory store: one install's applications share one event log."""
    app.recorder = base.recorder
    app.events = base.events
    app._repository = base.repository
    return app


class System:
    """The three applications on one in-memory event store, as the worker wires them."""

    def __init__(self, owner: str | None = "crm-team") -> None:
        self.sources = DataSources(Box(), env=POPO)
        retry = RetryPolicy(max_attempts=3, backoff_seconds=2, timeout_seconds=60)
        self.scans = on_store_of(self.sources, ScanWorkflows(retry, env=POPO))
        self.catalog = on_store_of(self.sources, Catalog(env=POPO))
        receipt = self.sources.register(
            RegisterDataSource(
                name="crm",
                kind="postgresql",
                connection={"dsn": "postgresql://reader:s3cret@db:5432/crm"},
                owner=owner,
            ),
            META,
        )
        self.source_id = receipt.aggregate_id

    def request(self, stages: list[str] | None = None) -> UUID:
        return UUID(self.scans.request(RequestScan(self.source_id, stages), META).workflow_id)

    def statuses(self, workflow_id: UUID) -> dict[str, str]:
        workflow = self.scans.get(workflow_id)
        return {name: stage["status"] for name, stage in workflow.stages.items()}


@pytest.fixture
def system() -> System:
    return System()


def test_stages_run_in_order_and_the_workflow_completes(system: System) -> None:
    workflow_id = system.request()
    now = T0
    for stage in ("discover", "profile", "classify", "evaluate", "report"):
        step = system.scans.advance(workflow_id, now)
        assert step == Step("start", stage, 1)
        assert system.scans.get(workflow_id).status == "running"
        assert system.scans.complete_stage(workflow_id, stage, 1, {"done": stage}, now)
        now += timedelta(seconds=1)
    workflow = system.scans.get(workflow_id)
    assert workflow.status == "completed"
    assert all(s["status"] == "completed" and s["attempts"] == 1 for s in workflow.stages.values())
    assert system.sources.get_source(system.source_id).active_scan is None


def test_an_edge_stage_carries_its_job_with_the_secret_sealed(system: System) -> None:
    workflow_id = system.request(["discover"])
    system.scans.advance(workflow_id, T0)
    started = [
        e for e in system.scans.events.get(workflow_id) if type(e).__name__ == "StageStarted"
    ]
    assert started[0].job["connection"] == {"dsn": "postgresql://reader:***@db:5432/crm"}
    assert started[0].sealed_secret == "sealed:s3cret"


def test_in_process_stages_are_handed_to_the_caller_while_running(system: System) -> None:
    workflow_id = system.request(["evaluate"])
    assert system.scans.advance(workflow_id, T0) == Step("start", "evaluate", 1)
    # A restarted worker asks again: the stage is running and nobody may be running it.
    assert system.scans.advance(workflow_id, T0) == Step("run", "evaluate", 1)


def test_a_repeated_or_stale_report_changes_nothing(system: System) -> None:
    workflow_id = system.request(["discover", "profile"])
    system.scans.advance(workflow_id, T0)
    assert system.scans.complete_stage(workflow_id, "discover", 1, {}, T0)
    version = system.scans.get(workflow_id).version
    assert not system.scans.complete_stage(workflow_id, "discover", 1, {}, T0)
    assert not system.scans.fail_stage(workflow_id, "discover", 1, "late", True, T0)
    assert not system.scans.complete_stage(workflow_id, "profile", 2, {}, T0)
    assert system.scans.get(workflow_id).version == version


def test_a_transient_failure_is_retried_with_growing_waits_then_fails_with_the_reason(
    system: System,
) -> None:
    workflow_id = system.request(["discover"])
    now = T0
    waits = []
    for attempt in (1, 2, 3):
        assert system.scans.advance(workflow_id, now) == Step("start", "discover", attempt)
        system.scans.fail_stage(workflow_id, "discover", attempt, "connection refused", True, now)
        stage = system.scans.get(workflow_id).stages["discover"]
        if attempt < 3:
            assert stage["status"] == "waiting"
            assert system.scans.advance(workflow_id, now) is None  # not due yet
            waits.append(stage["retry_at"] - now)
            now = stage["retry_at"]
    workflow = system.scans.get(workflow_id)
    assert waits == [timedelta(seconds=2), timedelta(seconds=4)]
    assert workflow.status == "failed"
    assert workflow.reason == "stage discover failed after 3 attempts: connection refused"
    assert system.sources.get_source(system.source_id).active_scan is None


def test_a_lasting_failure_fails_the_workflow_at_once(system: System) -> None:
    workflow_id = system.request(["discover"])
    system.scans.advance(workflow_id, T0)
    system.scans.fail_stage(workflow_id, "discover", 1, "password rejected", False, T0)
    workflow = system.scans.get(workflow_id)
    assert (workflow.status, workflow.stages["discover"]["attempts"]) == ("failed", 1)


def test_an_attempt_past_its_deadline_times_out_and_is_retried(system: System) -> None:
    workflow_id = system.request(["discover"])
    system.scans.advance(workflow_id, T0)
    assert system.scans.advance(workflow_id, T0 + timedelta(seconds=59)) is None
    step = system.scans.advance(workflow_id, T0 + timedelta(seconds=60))
    assert step == Step("expire", "discover", 1)
    stage = system.scans.get(workflow_id).stages["discover"]
    assert stage["status"] == "waiting"
    failed = [e for e in system.scans.events.get(workflow_id) if type(e).__name__ == "StageFailed"]
    assert failed[0].reason == "timed out after 60 s"
    # The agent's late answer for the expired attempt is ignored.
    assert not system.scans.complete_stage(workflow_id, "discover", 1, {}, T0)


def test_one_scan_per_source_and_the_second_request_names_the_first(system: System) -> None:
    first = system.request()
    with pytest.raises(ScanRunningError) as refused:
        system.request()
    assert refused.value.workflow_id == str(first)
    system.scans.cancel(CancelScan(first), META)
    system.request()  # the source is free again


def test_cancel_waits_for_the_running_stage_then_stops(system: System) -> None:
    workflow_id = system.request()
    system.scans.advance(workflow_id, T0)
    system.scans.cancel(CancelScan(workflow_id), META)
    assert system.scans.get(workflow_id).status == "running"
    system.scans.complete_stage(workflow_id, "discover", 1, {}, T0)
    workflow = system.scans.get(workflow_id)
    assert workflow.status == "cancelled"
    assert system.statuses(workflow_id)["profile"] == "pending"
    assert system.scans.advance(workflow_id, T0) is None
    with pytest.raises(ConflictError):
        system.scans.cancel(CancelScan(workflow_id), META)


def classified_table(infotype: str | None) -> dict[str, Any]:
    """A table whose two text columns are both classified `infotype` (or neither)."""
    classification = {
        "infotype": infotype,
        "category": "PII" if infotype else None,
        "confidence": 0.9 if infotype else None,
        "method": "rules" if infotype else None,
    }
    return {
        "qualified_name": "public.customers",
        "kind": "table",
        "columns": [
            {"name": name, "data_type": "text", "nullable": True, "classification": classification}
            for name in ("email", "note")
        ],
        "primary_key": [],
        "foreign_keys": [],
        "row_estimate": 10,
    }


def test_roll_back_reverts_the_workflows_classifications_but_never_a_stewards(
    system: System,
) -> None:
    earlier: EventMeta = {**META, "correlation_id": "earlier-scan"}
    system.catalog.ingest(system.source_id, [classified_table(None)], earlier)
    workflow_id = system.request(["classify"])
    system.scans.advance(workflow_id, T0)
    scan_meta: EventMeta = {**META, "correlation_id": str(workflow_id)}
    system.catalog.ingest(system.source_id, [classified_table("EMAIL_ADDRESS")], scan_meta)
    system.scans.complete_stage(workflow_id, "classify", 1, {}, T0)
    asset = asset_id(system.source_id, "public.customers")
    system.catalog.override_classification(
        OverrideClassification(asset, "note", "PERSON_NAME", "free text names people"), META
    )

    system.scans.roll_back(RollBackScan(workflow_id), [asset], META)

    restored = system.catalog.get_asset(asset)
    assert restored is not None
    assert restored.classifications["email"]["infotype"] is None
    assert restored.classifications["note"]["infotype"] == "PERSON_NAME"  # the steward's stays
    assert system.scans.get(workflow_id).rolled_back
    with pytest.raises(ConflictError):
        system.scans.roll_back(RollBackScan(workflow_id), [asset], META)


def test_a_running_workflow_cannot_be_rolled_back(system: System) -> None:
    workflow_id = system.request()
    system.scans.advance(workflow_id, T0)
    with pytest.raises(ConflictError):
        system.scans.roll_back(RollBackScan(workflow_id), [], META)


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        (None, ["discover", "profile", "classify", "evaluate", "report"]),
        (["classify", "discover"], ["discover", "classify"]),
        (["evaluate", "report"], ["evaluate", "report"]),
    ],
)
def test_stages_run_in_their_one_order(stages: list[str] | None, expected: list[str]) -> None:
    assert validate_stages(stages) == expected


@pytest.mark.parametrize("stages", [[], ["scan"], ["discover", "discover"], ["report"]])
def test_invalid_stage_lists_are_refused(stages: list[str]) -> None:
    with pytest.raises(InvalidCommandError):
        validate_stages(stages)


def test_decommissioning_a_source_fails_its_running_scan(system: System) -> None:
    workflow_id = system.request()
    system.scans.advance(workflow_id, T0)
    system.sources.decommission(DecommissionDataSource(system.source_id, reason="gone"), META)
    workflow = system.scans.get(workflow_id)
    assert (workflow.status, workflow.reason) == ("failed", "the data source was decommissioned")
    assert not system.scans.complete_stage(workflow_id, "discover", 1, {}, T0)
    assert system.sources.get_source(system.source_id).active_scan is None
