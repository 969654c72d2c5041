"""Use cases of the compliance context: policies as data, evaluations that open and resolve
findings, reports, and evaluations of the catalog as it stood at a past time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from commands.conflicts import retrying_on_conflict
from commands.loading import find, load
from commands.messages import ChangePolicy, CreatePolicy, Receipt, RetirePolicy, receipt_of
from domain.catalog import Asset
from domain.errors import (
    ConflictError,
    InvalidCommandError,
    VersionConflictError,
)
from domain.findings import (
    Finding,
    FindingLedger,
    by_asset,
    counts_of,
    finding_id,
    ledger_id,
    sorted_findings,
)
from domain.meta import EventMeta
from domain.policies import BUILTIN_PACKS, Policy, Subject, builtin_policy_id, evaluate
from domain.scans import ScanWorkflow
from domain.sources import DataSource

T = TypeVar("T")
BUILTIN_IDS = [builtin_policy_id(pack) for pack in BUILTIN_PACKS]


class Compliance(Application[UUID]):
    """The compliance application; it shares the event store with every context."""

    name = "datawave"

    # --- policies -----------------------------------------------------------------------------

    def install_builtin_packs(self, meta: EventMeta) -> int:
        """Create the built-in packs' policies that do not exist yet; returns how many."""
        created = 0
        for pack, definition in BUILTIN_PACKS.items():
            if self._find(Policy, builtin_policy_id(pack)) is not None:
                continue
            policy = Policy.create(
                definition["name"], definition["description"], definition["rules"], meta, pack=pack
            )
            try:
                self.save(policy)
                created += 1
            except IntegrityError:
                pass  # another process installed it at the same moment
        return created

    def create_policy(self, cmd: CreatePolicy, meta: EventMeta) -> Receipt:
        policy = Policy.create(cmd.name, cmd.description, cmd.rules, meta)
        return receipt_of(policy, self.save(policy))

    def change_policy(self, cmd: ChangePolicy, meta: EventMeta) -> Receipt:
        """A new revision: the next evaluations use it."""

        def change(policy: Policy) -> None:
            policy.change(meta, name=cmd.name, description=cmd.description, rules=cmd.rules)

        return self._change(cmd.policy_id, cmd.expected_version, change)

    def retire_policy(self, cmd: RetirePolicy, meta: EventMeta) -> Receipt:
        return self._change(cmd.policy_id, None, lambda p: p.retire(cmd.reason, meta))

    def policy(self, policy_id: UUID) -> Policy:
        return self._get(Policy, policy_id, "policy")

    def check_policies(self, policy_ids: list[UUID]) -> None:
        """Each id names a policy in force; the first that does not is refused (422)."""
        for policy_id in policy_ids:
            found = self._find(Policy, policy_id)
            if found is None or found.retired:
                raise InvalidCommandError("policy_ids", f"{policy_id} is not a policy in force")

    # --- evaluations --------------------------------------------------------------------------

    def evaluate_for(
        self, workflow_id: UUID, asset_ids: list[UUID], meta: EventMeta
    ) -> dict[str, Any]:
        """A workflow's evaluation stage: judge the source's live assets against the workflow's
        policies, then open and resolve findings in one save. Redone, it changes nothing."""

        def attempt(_: bool) -> dict[str, Any]:
            workflow = self._get(ScanWorkflow, workflow_id, "scan workflow")
            source = self._get(DataSource, workflow.data_source_id, "data source")
            policies = self._policies_in_force(workflow.policy_ids)
            assets = [a for a in self._assets(asset_ids) if not a.decommissioned]
            violations = _violations(policies, source, assets)
            ledger = self._find(FindingLedger, ledger_id(source.id)) or FindingLedger(
                data_source_id=source.id, meta=meta
            )
            retired = self._retired_among(ledger)
            described = _described(policies)
            if ledger.record_evaluation(str(workflow.id), described, violations, meta, retired):
                self.save(ledger)
            evaluation = ledger.last_evaluation or {}
            return {
                "policies": [p["name"] for p in described],
                "assets": len(assets),
                "open_findings": len(ledger.open),
                "opened": len(evaluation.get("opened", [])),
                "resolved": len(evaluation.get("resolved", [])),
                "ledger_version": ledger.version,
            }

        return retrying_on_conflict(attempt)

    def report(self, workflow_id: UUID) -> dict[str, Any]:
        """The findings as the workflow's evaluation left them, per asset, counted per policy
        and severity, and what it opened and resolved since the previous scan."""
        workflow = self._get(ScanWorkflow, workflow_id, "scan workflow")
        evaluated = workflow.summary_of("evaluate")
        if evaluated is None:
            raise ConflictError(f"workflow {workflow_id} has not evaluated compliance (yet)")
        ledger: FindingLedger = self.repository.get(
            ledger_id(workflow.data_source_id), version=evaluated["ledger_version"]
        )
        evaluation = ledger.last_evaluation or {}
        findings = sorted_findings(list(ledger.open.values()))
        opened = set(evaluation.get("opened", []))
        report_stage = workflow.stages.get("report") or {}
        return {
            "workflow_id": str(workflow.id),
            "data_source_id": str(workflow.data_source_id),
            "status": workflow.status,
            "generated_at": report_stage.get("completed_at"),
            "policies": evaluation.get("policies", []),
            "counts": counts_of(findings),
            "findings": findings,
            "assets": by_asset(findings),
            "changes": {
                "previous_workflow_id": evaluation.get("previous_workflow_id"),
                "opened": [f for f in findings if f["id"] in opened],
                "resolved": sorted_findings(list(evaluation.get("resolved", []))),
            },
        }

    def evaluate_as_of(
        self,
        as_of: datetime,
        assets_by_source: dict[UUID, list[UUID]],
        policy_ids: list[UUID] | None,
    ) -> dict[str, Any]:
        """Judge the catalog as it stood at `as_of`, with the policies as they stood then,
        rebuilt from the events; nothing is recorded. A policy that did not exist yet then is
        left out (the answer lists those applied); one that never existed is NotFoundError."""
        policies = []
        for pid in list(dict.fromkeys(policy_ids)) if policy_ids else BUILTIN_IDS:
            policy = self._as_of(Policy, pid, as_of)
            if policy is None and policy_ids:  # asked for by id: did it ever exist?
                self._get(Policy, pid, "policy")
            if policy is not None and not policy.retired:
                policies.append(policy)
        findings: list[Finding] = []
        for source_id, asset_ids in assets_by_source.items():
            source = self._as_of(DataSource, source_id, as_of)
            if source is None or source.decommissioned:
                continue
            assets = [self._as_of(Asset, a, as_of) for a in asset_ids]
            live = [a for a in assets if a is not None and not a.decommissioned]
            violations = _violations(policies, source, live)
            findings += [{**f, "id": fid} for fid, f in violations.items()]
        findings = sorted_findings(findings)
        return {
            "as_of": as_of.isoformat(),
            "policies": _described(policies),
            "counts": counts_of(findings),
            "findings": findings,
            "assets": by_asset(findings),
        }

    # --- loading ------------------------------------------------------------------------------

    def _policies_in_force(self, policy_ids: list[str] | None) -> list[Policy]:
        ids = BUILTIN_IDS if policy_ids is None else [UUID(p) for p in policy_ids]
        found = [self._find(Policy, pid) for pid in ids]
        return [p for p in found if p is not None and not p.retired]

    def _retired_among(self, ledger: FindingLedger) -> frozenset[str]:
        """The policies of the ledger's open findings that have been retired since."""
        policy_ids = {f["policy_id"] for f in ledger.open.values()}
        found = [self._find(Policy, UUID(pid)) for pid in policy_ids]
        return frozenset(str(p.id) for p in found if p is not None and p.retired)

    def _assets(self, asset_ids: Iterable[UUID]) -> list[Asset]:
        return [a for a in (self._find(Asset, aid) for aid in asset_ids) if a is not None]

    def _as_of(self, kind: type[Any], aggregate_id: UUID, as_of: datetime) -> Any:
        """The aggregate as it stood at `as_of`: its events up to then, replayed."""
        aggregate: Any = None
        for domain_event in self.events.get(aggregate_id):
            stored: Any = domain_event  # an aggregate event: it has a time and mutates
            if stored.timestamp > as_of:
                break
            aggregate = stored.mutate(aggregate)
        return aggregate if isinstance(aggregate, kind) else None

    def _find(self, kind: type[T], aggregate_id: UUID) -> T | None:
        return find(self.repository, kind, aggregate_id)

    def _get(self, kind: type[T], aggregate_id: UUID, name: str) -> T:
        return load(self.repository, kind, aggregate_id, name)

    def _change(
        self, policy_id: UUID, expected_version: int | None, change: Callable[[Policy], None]
    ) -> Receipt:
        def attempt(_: bool) -> Receipt:
            policy = self.policy(policy_id)
            if expected_version is not None and policy.version != expected_version:
                raise VersionConflictError(expected_version, policy.version)
            change(policy)
            return receipt_of(policy, self.save(policy))

        return retrying_on_conflict(attempt)


def subjects_of(source: DataSource, assets: Iterable[Asset]) -> list[Subject]:
    """Every column of the assets, as the policies see it, with its asset and source."""
    source_facts = {
        "id": str(source.id),
        "name": source.name,
        "kind": source.kind,
        "owner": source.owner,
        "tags": list(source.tags),
    }
    subjects = []
    for asset in assets:
        asset_facts = {
            "id": str(asset.id),
            "qualified_name": asset.qualified_name,
            "kind": asset.kind,
        }
        for name in asset.columns:
            decided = asset.classifications.get(name) or {}
            column = {
                "name": name,
                "infotype": decided.get("infotype"),
                "category": decided.get("category"),
                "confidence": decided.get("confidence"),
                "method": decided.get("method"),
            }
            subjects.append(Subject(source=source_facts, asset=asset_facts, column=column))
    return subjects


def _violations(
    policies: list[Policy], source: DataSource, assets: list[Asset]
) -> dict[str, Finding]:
    """Each violation of each policy as a finding, by its stable id."""
    subjects = subjects_of(source, assets)
    found: dict[str, Finding] = {}
    for policy in policies:
        for v in evaluate(policy.rules, subjects):
            fid = finding_id(str(policy.id), v.rule_id, v.asset_id, v.column)
            found[fid] = {
                "policy_id": str(policy.id),
                "policy": policy.name,
                "policy_revision": policy.revision,
                "rule_id": v.rule_id,
                "title": v.title,
                "reference": v.reference,
                "severity": v.severity,
                "asset_id": v.asset_id,
                "qualified_name": v.qualified_name,
                "column": v.column,
                "infotype": v.infotype,
                "detail": v.detail,
                "evidence": v.evidence,
            }
    return found


def _described(policies: list[Policy]) -> list[dict[str, Any]]:
    return [{"id": str(p.id), "name": p.name, "revision": p.revision} for p in policies]
