"""Use cases of the scans context: request a scan workflow, advance it, cancel it, roll it back.

The process manager calls `advance` whenever a workflow's event arrives or a timer ticks; the
workflow itself decides what is due, so calling it twice does the work once. A workflow that
ends releases its data source, in the same transaction, for the next scan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application

from commands.conflicts import retrying_on_conflict
from commands.loading import find, load
from commands.messages import (
    CancelScan,
    DiscoveryAccepted,
    Receipt,
    RequestScan,
    RollBackScan,
    receipt_of,
)
from commands.rule_sets import published_rules
from domain.catalog import Asset
from domain.meta import EventMeta
from domain.scans import EDGE_STAGES, RetryPolicy, ScanWorkflow, Step
from domain.sources import DataSource

PolicyCheck = Callable[[list[UUID]], None]


class ScanWorkflows(Application[UUID]):
    """The scans application; it shares the event store with every context."""

    name = "datawave"

    def __init__(self, retry: RetryPolicy | None = None, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.retry = retry or RetryPolicy()

    def request(
        self, cmd: RequestScan, meta: EventMeta, check_policies: PolicyCheck | None = None
    ) -> DiscoveryAccepted:
        """Start a scan of a live source that no other scan holds; its id is its correlation id."""
        if check_policies is not None and cmd.policy_ids is not None:
            check_policies(cmd.policy_ids)
        meta = {**meta, "correlation_id": str(uuid4())}  # the workflow's id; its events share it

        def attempt(_: bool) -> Receipt:
            source = self._source(cmd.data_source_id)
            policy_ids = None if cmd.policy_ids is None else [str(p) for p in cmd.policy_ids]
            workflow = ScanWorkflow.request(source.id, cmd.stages, policy_ids, self.retry, meta)
            source.start_scan(str(workflow.id), list(workflow.stages), meta)
            return receipt_of(workflow, self.save(workflow, source))

        receipt = retrying_on_conflict(attempt)
        return DiscoveryAccepted(str(receipt.aggregate_id), receipt)

    def advance(self, workflow_id: UUID, now: datetime) -> Step | None:
        """Take the workflow's next step if one is due; a `run` step is left to the caller."""

        def attempt(_: bool) -> Step | None:
            workflow = self.get(workflow_id)
            step = workflow.next_step(now)
            if step is None or step.action == "run":
                return step
            meta = _meta(workflow, step)
            if step.action == "start":
                assert step.stage is not None
                job, sealed = self._job(workflow, step.stage)
                workflow.start_stage(step.stage, step.attempt, now, meta, job, sealed)
            elif step.action == "expire":
                assert step.stage is not None
                workflow.expire(step.stage, step.attempt, now, meta)
            else:
                workflow.cancel_between_stages(now, meta)
            self._save_ending(workflow, meta)
            return step

        return retrying_on_conflict(attempt)

    def complete_stage(
        self, workflow_id: UUID, stage: str, attempt: int, summary: dict[str, Any], now: datetime
    ) -> bool:
        """An attempt's success; a report about another attempt changes nothing."""
        return self._report(
            workflow_id,
            Step("complete", stage, attempt),
            lambda w, meta: w.complete_stage(stage, attempt, summary, now, meta),
        )

    def fail_stage(
        self,
        workflow_id: UUID,
        stage: str,
        attempt: int,
        reason: str,
        transient: bool,
        now: datetime,
    ) -> bool:
        """An attempt's failure: retried later if transient and attempts remain."""
        return self._report(
            workflow_id,
            Step("fail", stage, attempt),
            lambda w, meta: w.fail_stage(stage, attempt, reason, transient, now, meta),
        )

    def _report(
        self,
        workflow_id: UUID,
        step: Step,
        apply: Callable[[ScanWorkflow, EventMeta], bool],
    ) -> bool:
        def attempt(_: bool) -> bool:
            workflow = self.get(workflow_id)
            meta = _meta(workflow, step)
            changed = apply(workflow, meta)
            if changed:
                self._save_ending(workflow, meta)
            return changed

        return retrying_on_conflict(attempt)

    def cancel(self, cmd: CancelScan, meta: EventMeta) -> Receipt:
        """Stop the workflow after its current stage (at once between stages)."""

        def attempt(_: bool) -> Receipt:
            workflow = self.get(cmd.workflow_id)
            workflow.cancel(datetime.now(UTC), meta)
            return receipt_of(workflow, self._save_ending(workflow, meta))

        return retrying_on_conflict(attempt)

    def roll_back(self, cmd: RollBackScan, asset_ids: list[UUID], meta: EventMeta) -> Receipt:
        """Revert the classifications the workflow made automatically, on the given assets (the
        source's), with compensating events; steward decisions are never touched."""

        def attempt(_: bool) -> Receipt:
            workflow = self.get(cmd.workflow_id)
            reverted: list[Asset] = []
            columns = 0
            for aggregate_id in asset_ids:
                asset = find(self.repository, Asset, aggregate_id)
                if asset is None:
                    continue
                done = asset.revert_classifications(str(workflow.id), meta)
                if done:
                    reverted.append(asset)
                    columns += len(done)
            workflow.roll_back({"assets": len(reverted), "columns": columns}, meta)
            return receipt_of(workflow, self.save(workflow, *reverted))

        return retrying_on_conflict(attempt)

    def get(self, workflow_id: UUID) -> ScanWorkflow:
        return load(self.repository, ScanWorkflow, workflow_id, "scan workflow")

    def _source(self, data_source_id: UUID) -> DataSource:
        return load(self.repository, DataSource, data_source_id, "data source")

    def _job(self, workflow: ScanWorkflow, stage: str) -> tuple[dict[str, Any] | None, str | None]:
        """What an edge agent needs for this stage: how to connect (the secret sealed) and, to
        classify, the custom rules published now."""
        if stage not in EDGE_STAGES:
            return None, None
        source = self._source(workflow.data_source_id)
        job: dict[str, Any] = {
            "data_source_id": str(source.id),
            "kind": source.kind,
            "connection": source.connection,
        }
        if stage == "classify":
            version, rules = published_rules(self.repository)
            job["rule_set"] = {"version": version, "rules": rules} if version else None
        return job, source.sealed_secret

    def _save_ending(self, workflow: ScanWorkflow, meta: EventMeta) -> list[Any]:
        """Save the workflow; one that has just ended frees its source in the same transaction."""
        aggregates: list[Any] = [workflow]
        if workflow.ended:
            source = self._source(workflow.data_source_id)
            source.end_scan(
                str(workflow.id),
                workflow.status,
                meta,
                reason=workflow.reason,
                summary=workflow.discovery_summary(),
            )
            aggregates.append(source)
        return list(self.save(*aggregates))


def _meta(workflow: ScanWorkflow, step: Step) -> EventMeta:
    """The process manager acts for the workflow: its id correlates, the step causes."""
    return {
        "actor": "process-manager",
        "correlation_id": str(workflow.id),
        "causation_id": f"{workflow.id}:{step.action}:{step.stage}:{step.attempt}",
    }
