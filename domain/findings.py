"""The compliance findings of one data source, kept in one ledger.

One evaluation opens a finding for each violation not open yet, and resolves each open finding
of the policies it evaluated that it no longer sees, in one save: so an evaluation redone after
a crash finds its findings open already and opens none twice.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.meta import EventMeta

Finding = dict[str, Any]  # policy_id, policy, rule_id, title, reference, severity, asset_id,
# qualified_name, column, infotype, detail, evidence


def finding_id(policy_id: str, rule_id: str, asset_id: str, column: str) -> str:
    """The one id of one rule's violation on one column, whichever scan sees it."""
    return str(
        uuid5(NAMESPACE_URL, f"/datawave/findings/{policy_id}/{rule_id}/{asset_id}/{column}")
    )


def ledger_id(data_source_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"/datawave/finding-ledgers/{data_source_id}")


class FindingLedger(Aggregate):
    """Which findings of one data source are open, and what its last evaluation changed."""

    @staticmethod
    def create_id(data_source_id: UUID, **_: Any) -> UUID:
        return ledger_id(data_source_id)

    @event("LedgerStarted")
    def __init__(self, data_source_id: UUID, meta: EventMeta) -> None:
        self.data_source_id = data_source_id
        self.open: dict[str, Finding] = {}
        self.last_evaluation: dict[str, Any] | None = None
        self._opened: list[str] = []
        self._resolved: list[Finding] = []

    def record_evaluation(
        self,
        workflow_id: str,
        policies: list[dict[str, Any]],
        violations: dict[str, Finding],
        meta: EventMeta,
        retired: frozenset[str] = frozenset(),
    ) -> bool:
        """Open what is newly violated, resolve what the evaluated policies no longer see and
        what retired policies had found. The same workflow's evaluation recorded again changes
        nothing."""
        if self.last_evaluation is not None and self.last_evaluation["workflow_id"] == workflow_id:
            return False
        evaluated = {p["id"] for p in policies} | retired
        for fid in sorted(violations.keys() - self.open.keys()):
            self._finding_opened(
                finding_id=fid, finding=violations[fid], workflow_id=workflow_id, meta=meta
            )
        for fid in sorted(self.open.keys() - violations.keys()):
            if self.open[fid]["policy_id"] in evaluated:
                self._finding_resolved(finding_id=fid, workflow_id=workflow_id, meta=meta)
        self._evaluation_recorded(
            workflow_id=workflow_id, policies=policies, open_findings=len(self.open), meta=meta
        )
        return True

    @event("FindingOpened")
    def _finding_opened(
        self, finding_id: str, finding: Finding, workflow_id: str, meta: EventMeta
    ) -> None:
        self.open[finding_id] = {**finding, "id": finding_id, "opened_by": workflow_id}
        self._opened.append(finding_id)

    @event("FindingResolved")
    def _finding_resolved(self, finding_id: str, workflow_id: str, meta: EventMeta) -> None:
        resolved = self.open.pop(finding_id)
        self._resolved.append({**resolved, "resolved_by": workflow_id})

    @event("EvaluationRecorded")
    def _evaluation_recorded(
        self,
        workflow_id: str,
        policies: list[dict[str, Any]],
        open_findings: int,
        meta: EventMeta,
    ) -> None:
        self.last_evaluation = {
            "workflow_id": workflow_id,
            "policies": policies,
            "opened": self._opened,
            "resolved": self._resolved,
            "previous_workflow_id": (self.last_evaluation or {}).get("workflow_id"),
        }
        self._opened, self._resolved = [], []


SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def counts_of(findings: list[Finding]) -> dict[str, Any]:
    """Findings counted per policy and per severity."""
    by_policy: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for finding in findings:
        by_policy[finding["policy"]] = by_policy.get(finding["policy"], 0) + 1
        by_severity[finding["severity"]] = by_severity.get(finding["severity"], 0) + 1
    return {"total": len(findings), "by_policy": by_policy, "by_severity": by_severity}


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first, then by table and column: the order a reader works through them."""
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER.get(f["severity"], 9),
            f["qualified_name"],
            f["column"],
            f["rule_id"],
        ),
    )


def by_asset(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings grouped per asset, assets by name."""
    groups: dict[str, dict[str, Any]] = {}
    for finding in findings:
        group = groups.setdefault(
            finding["asset_id"],
            {
                "asset_id": finding["asset_id"],
                "qualified_name": finding["qualified_name"],
                "findings": [],
            },
        )
        group["findings"].append(finding)
    return sorted(groups.values(), key=lambda g: g["qualified_name"])
