"""Compliance evaluations on the in-memory event store: findings opened once, resolved when
fixed or when their policy is retired, reports, and the catalog judged as of a past time."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from commands.catalog import Catalog
from commands.compliance import Compliance
from commands.messages import CreatePolicy, RequestScan, RetirePolicy, UpdateDataSource
from domain.catalog import asset_id
from domain.meta import EventMeta
from tests.unit.test_scans import META, System, on_store_of

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
CARDS: dict[str, Any] = {
    "qualified_name": "public.cards",
    "kind": "table",
    "columns": [
        {
            "name": name,
            "data_type": "text",
            "nullable": True,
            "classification": {
                "infotype": infotype,
                "category": category,
                "confidence": 0.95,
                "method": "rules",
            },
        }
        for name, infotype, category in (
            ("holder_email", "EMAIL_ADDRESS", "PII"),
            ("pan", "CREDIT_CARD_NUMBER", "PCI"),
            ("cvc", "CARD_VERIFICATION_CODE", "PCI"),
        )
    ],
    "primary_key": [],
    "foreign_keys": [],
    "row_estimate": 10,
}


class Install(System):
    def __init__(self) -> None:
        super().__init__(owner=None)
        self.compliance = on_store_of(self.sources, Compliance(env=POPO))
        self.compliance.install_builtin_packs(META)
        self.catalog = on_store_of(self.sources, Catalog(env=POPO))
        scan_meta: EventMeta = {**META, "correlation_id": "earlier-scan"}
        self.catalog.ingest(self.source_id, [CARDS], scan_meta)
        self.asset = asset_id(self.source_id, "public.cards")

    def evaluate(self, policy_ids: list[UUID] | None = None) -> tuple[UUID, dict[str, Any]]:
        """A scan of the evaluate stage, carried out as the process manager would."""
        accepted = self.scans.request(RequestScan(self.source_id, ["evaluate"], policy_ids), META)
        workflow_id = UUID(accepted.workflow_id)
        now = datetime.now(UTC)
        self.scans.advance(workflow_id, now)
        summary = self.compliance.evaluate_for(workflow_id, [self.asset], META)
        self.scans.complete_stage(workflow_id, "evaluate", 1, summary, now)
        return workflow_id, summary


@pytest.fixture
def install() -> Install:
    return Install()


def rules_of(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["rule_id"], f["column"]) for f in report["findings"]}


def test_an_evaluation_opens_each_finding_once_and_a_fix_resolves_it(install: Install) -> None:
    first, summary = install.evaluate()
    report = install.compliance.report(first)
    assert rules_of(report) == {
        ("gdpr.personal-data-has-owner", "holder_email"),
        ("pci-dss.card-numbers-unreadable", "pan"),
        ("pci-dss.no-stored-card-verification-code", "cvc"),
    }
    assert summary["opened"] == summary["open_findings"] == 3
    # Done again for the same workflow (a worker restarted mid-stage): nothing new.
    assert install.compliance.evaluate_for(first, [install.asset], META)["opened"] == 3
    assert len(install.compliance.report(first)["findings"]) == 3

    install.sources.update(
        UpdateDataSource(install.source_id, owner="cards-team", tags=["masked"]), META
    )
    second, _ = install.evaluate()
    after = install.compliance.report(second)
    assert rules_of(after) == {("pci-dss.no-stored-card-verification-code", "cvc")}
    assert {f["column"] for f in after["changes"]["resolved"]} == {"holder_email", "pan"}
    assert after["changes"]["opened"] == []
    assert after["changes"]["previous_workflow_id"] == str(first)
    # The first report still says what that scan found.
    assert len(install.compliance.report(first)["findings"]) == 3


def test_findings_of_a_retired_policy_are_resolved_at_the_next_evaluation(
    install: Install,
) -> None:
    rule = {
        "id": "no-cvc",
        "title": "No codes",
        "severity": "high",
        "when": {"field": "column.name", "op": "eq", "value": "cvc"},
    }
    custom = install.compliance.create_policy(CreatePolicy("mine", [rule]), META).aggregate_id
    first, _ = install.evaluate([custom])
    assert rules_of(install.compliance.report(first)) == {("no-cvc", "cvc")}
    install.compliance.retire_policy(RetirePolicy(custom, "replaced"), META)
    second, _ = install.evaluate()  # the built-in packs only
    report = install.compliance.report(second)
    assert ("no-cvc", "cvc") not in rules_of(report)
    assert [f["rule_id"] for f in report["changes"]["resolved"]] == ["no-cvc"]


def test_the_catalog_is_judged_as_it_stood_at_a_past_time(install: Install) -> None:
    before = datetime.now(UTC)
    time.sleep(0.01)
    install.sources.update(UpdateDataSource(install.source_id, owner="cards-team"), META)
    sources = {install.source_id: [install.asset]}
    then = install.compliance.evaluate_as_of(before, sources, None)
    now = install.compliance.evaluate_as_of(datetime.now(UTC), sources, None)
    owner_rule = ("gdpr.personal-data-has-owner", "holder_email")
    assert owner_rule in rules_of(then)
    assert owner_rule not in rules_of(now)
    assert rules_of(now) == rules_of(then) - {owner_rule}
    long_ago = install.compliance.evaluate_as_of(datetime(2000, 1, 1, tzinfo=UTC), sources, None)
    assert long_ago["findings"] == [] and long_ago["policies"] == []
