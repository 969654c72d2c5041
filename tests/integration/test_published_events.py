"""What the relay publishes matches the documented JSON Schemas, keyed and ordered per aggregate,
and no sealed secret reaches a public topic.

Every documented event type but the legacy discovery ones is produced through the use cases, the
way the running system produces it: discoveries run as scan workflows whose stages are started
and ended as the process manager and the catalog ingest do, with the tables an edge agent would
report ingested under the workflow's id."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from commands.catalog import Catalog
from commands.compliance import Compliance
from commands.messages import (
    CancelScan,
    ChangePolicy,
    ChangeRule,
    CreatePolicy,
    DecommissionDataSource,
    OverrideClassification,
    PublishRuleSet,
    RegisterDataSource,
    RemoveRule,
    RequestScan,
    RetirePolicy,
    RollBackScan,
    UpdateDataSource,
    WithdrawOverride,
)
from commands.rule_sets import RuleSets
from commands.scans import ScanWorkflows
from domain.catalog import asset_id
from domain.findings import ledger_id
from domain.meta import EventMeta
from domain.policies import BUILTIN_PACKS, builtin_policy_id
from domain.scans import EDGE_STAGES, RetryPolicy, Step
from edge.classification.rules import classify_table
from edge.connectors.base import Column, ForeignKey, Sample, Table
from edge.discovery import observed
from edge.profiling import profile_table
from infra import kafka
from infra.envelope import EDGE_COMMANDS_TOPIC
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import (
    open_catalog,
    open_compliance,
    open_event_store,
    open_rule_sets,
    open_scans,
)
from streams.catalog_ingest import GONE_REASON
from tests.e2e.test_secret_canary import kafka_records
from tests.support import META, System

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
PUBLIC_TOPICS = (
    "datawave.sources",
    "datawave.catalog",
    "datawave.classification",
    "datawave.scans",
    "datawave.compliance",
)
# Documented because old events may still be on the topic; nothing publishes them any more.
LEGACY_TYPES = frozenset(
    {
        "datawave.sources.DiscoveryRequested.v1",
        "datawave.sources.DiscoveryCompleted.v1",
        "datawave.sources.DiscoveryFailed.v1",
    }
)
PASSWORD = "Wh-7c1e-Pa55w0rd"
RETRY = RetryPolicy(max_attempts=2, backoff_seconds=1, timeout_seconds=3600)

CUSTOMERS = Table(
    "public.customers",
    "table",
    (
        Column("id", "integer", False),
        Column("email", "text", True),
        Column("age", "smallint", True),
    ),
    primary_key=("id",),
    row_estimate=3,
)
# Seen again: age dropped, email retyped and made NOT NULL, signup added, the primary key widened.
CUSTOMERS_DRIFTED = Table(
    "public.customers",
    "table",
    (
        Column("id", "integer", False),
        Column("email", "character varying(200)", False),
        Column("signup", "date", True),
    ),
    primary_key=("id", "email"),
    row_estimate=4,
)
ORDERS = Table(
    "public.orders",
    "table",
    (Column("id", "integer", False), Column("customer_id", "integer", True)),
    primary_key=("id",),
    foreign_keys=(ForeignKey(("customer_id",), "public.customers", ("id",)),),
    row_estimate=2,
)
LEGACY = Table("public.legacy", "view", (Column("code", "text", True),))

Rows = list[tuple[object, ...]] | None  # None: the table is listed but cannot be read
CUSTOMER_ROWS: Rows = [
    (1, "ann@x.io", 31),
    (2, None, 40),
    (3, "Bo@y.org", None),
]
DRIFTED_ROWS: Rows = [
    (1, "ann@x.io", "2024-01-02"),
    (2, "cy@x.io", None),
    (3, "Bo@y.org", "2023-12-31"),
    (4, "di 2@z.net", "2024-03-04"),
]
ORDER_ROWS: Rows = [(10, 1), (11, None)]
LEGACY_ROWS: Rows = [("A-1",), ("B-22",)]


def validators() -> dict[str, Draft202012Validator]:
    resources = {
        path.name: Resource.from_contents(json.loads(path.read_text()))
        for path in SCHEMAS.glob("*.json")
    }
    registry: Registry = Registry().with_resources(resources.items())
    return {
        name.removesuffix(".json"): Draft202012Validator(resource.contents, registry=registry)
        for name, resource in resources.items()
        if name.startswith("datawave.")
    }


def as_reported(
    stage: str, table: Table, rows: Rows
) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The table as an edge agent reports it in this stage: its schema (discover), with the
    profiles of a sample of `rows` (profile) or with its columns' classifications (classify).
    A table that cannot be read is reported as far as its names go, and listed as skipped."""
    if stage == "discover":
        return observed(table, None), None
    sample = None if rows is None else Sample(rows)
    skipped = None if rows is not None else {"table": table.qualified_name, "reason": "denied"}
    if stage == "profile":
        if sample is None:
            return observed(table, None), skipped
        profiles = {name: p.to_dict() for name, p in profile_table(table, sample).items()}
        return observed(table, profiles), None
    classified = {name: c.to_dict() for name, c in classify_table(table, sample).items()}
    return observed(table, None, classified), skipped


class Scanner:
    """Scan workflows of one data source, stepped as the process manager, the edge agents and
    the catalog ingest step them, without running those processes."""

    def __init__(
        self, scans: ScanWorkflows, catalog: Catalog, compliance: Compliance, source_id: UUID
    ) -> None:
        self.scans = scans
        self.catalog = catalog
        self.compliance = compliance
        self.source_id = source_id
        self.now = datetime.now(UTC)

    def request(self, *stages: str) -> UUID:
        return UUID(self.scans.request(RequestScan(self.source_id, list(stages)), META).workflow_id)

    def start(self, workflow_id: UUID, stage: str, attempt: int = 1) -> None:
        """The process manager's step: the stage's attempt starts (for an edge stage, the
        StageStarted event is the agent's job)."""
        self.now += timedelta(seconds=5)  # past any retry's wait
        assert self.scans.advance(workflow_id, self.now) == Step("start", stage, attempt)

    def run_edge(
        self,
        workflow_id: UUID,
        stage: str,
        tables: list[tuple[Table, Rows]],
        attempt: int = 1,
        gone: tuple[str, ...] = (),
    ) -> None:
        """What the catalog ingest does with an agent's results: the reported tables ingested
        under the workflow's id, the tables a discovery no longer found retired, the stage
        completed with its summary."""
        meta = EventMeta(
            actor="edge-agent:test",
            correlation_id=str(workflow_id),
            causation_id=f"{workflow_id}:tables:1",
        )
        reported = [as_reported(stage, table, rows) for table, rows in tables]
        self.catalog.ingest(self.source_id, [t for t, _ in reported], meta)
        summary: dict[str, Any] = {
            "tables": len(tables),
            "skipped": [s for _, s in reported if s is not None],
        }
        if stage == "discover":
            retired = [asset_id(self.source_id, name) for name in gone]
            summary["removed"] = self.catalog.decommission(retired, GONE_REASON, meta)
        self.complete(workflow_id, stage, summary, attempt)

    def edge_stage(
        self,
        workflow_id: UUID,
        stage: str,
        tables: list[tuple[Table, Rows]],
        gone: tuple[str, ...] = (),
    ) -> None:
        self.start(workflow_id, stage)
        self.run_edge(workflow_id, stage, tables, gone=gone)

    def complete(
        self, workflow_id: UUID, stage: str, summary: dict[str, Any], attempt: int = 1
    ) -> None:
        self.now += timedelta(seconds=1)
        assert self.scans.complete_stage(workflow_id, stage, attempt, summary, self.now)

    def fail(
        self, workflow_id: UUID, stage: str, reason: str, transient: bool, attempt: int = 1
    ) -> None:
        self.now += timedelta(seconds=1)
        assert self.scans.fail_stage(workflow_id, stage, attempt, reason, transient, self.now)

    def evaluate(self, workflow_id: UUID) -> None:
        """The process manager's evaluate stage, over every asset the source has had."""
        self.start(workflow_id, "evaluate")
        meta = EventMeta(
            actor="process-manager",
            correlation_id=str(workflow_id),
            causation_id=f"{workflow_id}:evaluate",
        )
        assets = [asset_id(self.source_id, t.qualified_name) for t in (CUSTOMERS, ORDERS, LEGACY)]
        summary = self.compliance.evaluate_for(workflow_id, assets, meta)
        self.complete(workflow_id, "evaluate", summary)

    def report(self, workflow_id: UUID) -> None:
        """The process manager's report stage."""
        self.start(workflow_id, "report")
        report = self.compliance.report(workflow_id)
        summary = {
            "counts": report["counts"],
            "opened": len(report["changes"]["opened"]),
            "resolved": len(report["changes"]["resolved"]),
        }
        self.complete(workflow_id, "report", summary)


def publish_rule_set_events(rule_sets: RuleSets) -> None:
    """Every rule-set event type: a rule added, changed, another added and removed, published."""
    rule = {"infotype": "NATIONAL_ID", "value_pattern": r"KN-\d{6}"}
    rule_sets.put_rule(ChangeRule("kn", rule), META)
    rule_sets.put_rule(ChangeRule("kn", {**rule, "confidence": 0.95}), META)
    rule_sets.put_rule(ChangeRule("tmp", {"infotype": "USERNAME", "name_pattern": "^login$"}), META)
    rule_sets.remove_rule(RemoveRule("tmp"), META)
    rule_sets.publish(PublishRuleSet(), META)


def publish_policy_events(compliance: Compliance) -> None:
    """Every policy event type: the built-in packs installed, a policy created, changed, retired."""
    assert compliance.install_builtin_packs(META) == len(BUILTIN_PACKS)
    rule = {
        "id": "no-passwords",
        "title": "Passwords are never stored",
        "severity": "critical",
        "when": {"field": "column.infotype", "op": "eq", "value": "PASSWORD"},
    }
    created = compliance.create_policy(CreatePolicy("house rules", [rule], "ours"), META)
    tightened = {
        **rule,
        "when": {
            "any": [rule["when"], {"field": "column.name", "op": "matches", "value": "(?i)pass.*"}]
        },
    }
    compliance.change_policy(ChangePolicy(created.aggregate_id, rules=[tightened]), META)
    compliance.retire_policy(RetirePolicy(created.aggregate_id, "folded into the packs"), META)


def publish_scan_events(scanner: Scanner) -> dict[str, UUID]:
    """Every scan-workflow, source-scan, catalog and finding event type, through six scans of one
    source; returns the workflows by the name this test gives them."""
    first = scanner.request("discover", "profile", "classify")
    everything: list[tuple[Table, Rows]] = [
        (CUSTOMERS, CUSTOMER_ROWS),
        (ORDERS, ORDER_ROWS),
        (LEGACY, None),
    ]
    for stage in ("discover", "profile", "classify"):
        scanner.edge_stage(first, stage, everything)
    # The first scan's classifications are compensated: they go back to unclassified.
    customers = asset_id(scanner.source_id, CUSTOMERS.qualified_name)
    # A steward decided one of them first: the roll-back reverts the one set aside underneath.
    ages = OverrideClassification(customers, "age", None, "not ages")
    scanner.catalog.override_classification(ages, META)
    scanner.scans.roll_back(RollBackScan(first), [customers], META)

    # Customers drifted, orders did not, legacy is gone; profiling fails once, passes when retried.
    drift = scanner.request("discover", "profile", "classify")
    drifted: list[tuple[Table, Rows]] = [(CUSTOMERS_DRIFTED, DRIFTED_ROWS), (ORDERS, ORDER_ROWS)]
    scanner.edge_stage(drift, "discover", drifted, gone=(LEGACY.qualified_name,))
    scanner.start(drift, "profile")
    scanner.fail(drift, "profile", "connection reset by peer", transient=True)
    scanner.start(drift, "profile", attempt=2)
    scanner.run_edge(drift, "profile", drifted, attempt=2)
    scanner.edge_stage(drift, "classify", drifted)

    # A lasting failure ends the workflow at once.
    refused = scanner.request("discover")
    scanner.start(refused, "discover")
    scanner.fail(refused, "discover", "password authentication failed", transient=False)

    # Legacy is back (its decommissioned asset is rediscovered whole); cancelled while profiling.
    cancelled = scanner.request("discover", "profile", "classify")
    back: list[tuple[Table, Rows]] = [*drifted, (LEGACY, LEGACY_ROWS)]
    scanner.edge_stage(cancelled, "discover", back)
    scanner.start(cancelled, "profile")
    scanner.scans.cancel(CancelScan(cancelled), META)
    scanner.run_edge(cancelled, "profile", back)

    # The email column breaks GDPR while the source has no owner: a finding opens ...
    evaluated = scanner.request("classify", "evaluate")
    scanner.edge_stage(evaluated, "classify", back)
    scanner.evaluate(evaluated)
    return {
        "first": first,
        "drift": drift,
        "refused": refused,
        "cancelled": cancelled,
        "evaluated": evaluated,
    }


def test_published_events_match_their_schemas(system: System) -> None:
    create_schema(system.dsn)
    app = open_event_store(system.dsn, AesGcmSecretBox("k"))
    catalog = open_catalog(system.dsn)
    scans = open_scans(system.dsn, RETRY)
    compliance = open_compliance(system.dsn)
    first = app.register(
        RegisterDataSource("crm", "postgresql", {"dsn": "postgresql://u:pw@h/db"}, "o", ["a"]), META
    )
    app.update(UpdateDataSource(first.aggregate_id, owner="p", tags=["b"]), META)
    app.update(UpdateDataSource(first.aggregate_id, connection={"dsn": "postgresql://h/db2"}), META)
    app.decommission(DecommissionDataSource(first.aggregate_id, reason="gone"), META)
    app.register(RegisterDataSource("files", "csv", {"path": "/data/files"}), META)
    publish_rule_set_events(open_rule_sets(system.dsn))
    publish_policy_events(compliance)
    warehouse = app.register(
        RegisterDataSource(
            "warehouse", "postgresql", {"dsn": f"postgresql://u:{PASSWORD}@wh.internal/wh"}
        ),
        META,
    ).aggregate_id
    scanner = Scanner(scans, catalog, compliance, warehouse)
    workflows = publish_scan_events(scanner)
    # A steward's decision on a column.
    orders_id = asset_id(warehouse, ORDERS.qualified_name)
    decision = OverrideClassification(orders_id, "customer_id", None, "an internal key")
    catalog.override_classification(decision, META)
    # A steward's decision taken back, and made again.
    catalog.withdraw_override(WithdrawOverride(orders_id, "customer_id", "wrong column"), META)
    catalog.override_classification(decision, META)
    # ... and is resolved by the next evaluation once the source has an owner.
    app.update(UpdateDataSource(warehouse, owner="data-team"), META)
    resolved = scanner.request("evaluate", "report")
    scanner.evaluate(resolved)
    scanner.report(resolved)
    system.start("relay")
    system.wait_caught_up_relay()

    assert set(PUBLIC_TOPICS) == set(kafka.PUBLIC_TOPICS)
    records = {t: asyncio.run(kafka_records(system.bootstrap, t)) for t in PUBLIC_TOPICS}
    by_topic = {t: [json.loads(value) for _, _, value in rs] for t, rs in records.items()}
    messages = [m for values in by_topic.values() for m in values]
    by_type = validators()
    assert set(by_type) >= LEGACY_TYPES
    assert {m["type"] for m in messages} == set(by_type) - LEGACY_TYPES
    for topic, values in by_topic.items():
        assert {m["type"].rsplit(".", 2)[0] for m in values} == {topic}
    for message in messages:
        errors = [e.message for e in by_type[message["type"]].iter_errors(message)]
        assert errors == [], (message["type"], errors)

    # Keyed by aggregate: one aggregate's events on one partition, in version order.
    partitions: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for topic, rs in records.items():
        for key, partition, value in rs:
            subject = json.loads(value)["subject"]
            assert key == subject.encode()
            partitions[subject].add((topic, partition))
    assert all(len(found) == 1 for found in partitions.values())
    versions: dict[str, list[int]] = defaultdict(list)
    for message in messages:
        versions[message["subject"]].append(message["aggregateversion"])
    for subject, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), subject
    assert versions[str(first.aggregate_id)] == [1, 2, 3, 4]

    def of(subject: object, topic: str | None = None) -> list[dict[str, Any]]:
        pool = messages if topic is None else by_topic[topic]
        return [m for m in pool if m["subject"] == str(subject)]

    def kinds(found: list[dict[str, Any]]) -> list[str]:
        return [m["type"].split(".")[2] for m in found]

    # The catalog: each change its own event, in order, under the workflow that saw it.
    customers = of(asset_id(warehouse, CUSTOMERS.qualified_name))
    decisions = {
        "ColumnClassified",
        "ClassificationReverted",
        "ClassificationOverridden",
        "SetAsideClassificationReverted",
    }
    assert [k for k in kinds(customers) if k not in decisions] == [
        "Discovered",
        "StatisticsUpdated",  # first profile
        "ColumnRemoved",
        "ColumnTypeChanged",
        "ColumnNullabilityChanged",
        "ColumnAdded",
        "KeysChanged",
        "StatisticsUpdated",  # the new row estimate, discovered
        "StatisticsUpdated",  # the drifted columns' profiles
    ]
    assert customers[0]["data"]["data_source_id"] == str(warehouse)
    assert customers[0]["correlationid"] == str(workflows["first"])
    retyped = next(m for m in customers if m["type"].endswith(".ColumnTypeChanged.v1"))
    assert retyped["data"] == {
        "name": "email",
        "old_type": "text",
        "new_type": "character varying(200)",
    }
    assert retyped["correlationid"] == str(workflows["drift"])
    classified = [m for m in customers if m["type"].endswith(".ColumnClassified.v1")]
    assert classified and all(m["data"]["classification"]["rule_set"] for m in classified)
    reverted = [m for m in customers if m["type"].endswith(".ClassificationReverted.v1")]
    assert {m["data"]["name"] for m in reverted} >= {"email"}
    assert all(m["data"]["workflow_id"] == str(workflows["first"]) for m in reverted)
    assert all(m["data"]["previous"]["infotype"] is not None for m in reverted)
    assert all(m["data"]["classification"]["infotype"] is None for m in reverted)
    legacy = kinds(of(asset_id(warehouse, LEGACY.qualified_name)))
    assert [k for k in legacy if k not in decisions][-3:] == [
        "Decommissioned",
        "Rediscovered",
        "StatisticsUpdated",
    ]

    # The workflows, step by step; each one takes the source and frees it with its outcome.
    ran = ["StageStarted", "StageCompleted"]
    expected = {
        "first": ["Requested", *ran, *ran, *ran, "Completed", "RolledBack"],
        "drift": [
            "Requested",
            *ran,
            *["StageStarted", "StageFailed", "StageRetried", *ran],
            *ran,
            "Completed",
        ],
        "refused": ["Requested", "StageStarted", "StageFailed", "Failed"],
        "cancelled": [
            "Requested",
            *ran,
            "StageStarted",
            "CancelRequested",
            "StageCompleted",
            "Cancelled",
        ],
        "evaluated": ["Requested", *ran, *ran, "Completed"],
    }
    for name, steps in expected.items():
        found = of(workflows[name], "datawave.scans")
        assert kinds(found) == steps, name
        by_manager = [m for m in found if m["actor"] != META["actor"]]
        assert all(m["correlationid"] == str(workflows[name]) for m in by_manager), name
    rolled_back = of(workflows["first"], "datawave.scans")[-1]["data"]["reverted"]
    underneath = [m for m in customers if m["type"].endswith(".SetAsideClassificationReverted.v1")]
    assert [m["data"]["name"] for m in underneath] == ["age"]
    assert rolled_back == {"assets": 1, "columns": len(reverted) + len(underneath)}
    retried = next(m for m in of(workflows["drift"]) if m["type"].endswith(".StageRetried.v1"))
    assert retried["data"]["attempt"] == 2
    source_scans = [
        m["data"]
        for m in of(warehouse, "datawave.sources")
        if m["type"].split(".")[2] in ("ScanRequested", "ScanEnded")
    ]
    ended = {d["workflow_id"]: d for d in source_scans if "status" in d}
    assert len(source_scans) == 2 * len(ended) == 2 * (len(workflows) + 1)
    # What the edge stages found together; a table no stage could read is listed once.
    unreadable = [{"table": LEGACY.qualified_name, "reason": "denied"}]
    assert ended[str(workflows["first"])]["summary"] == {
        "tables": 3,
        "removed": 0,
        "skipped": unreadable,
    }
    assert ended[str(workflows["drift"])]["summary"] == {"tables": 2, "removed": 1, "skipped": []}
    assert ended[str(workflows["refused"])]["reason"] == (
        "stage discover failed after 1 attempt: password authentication failed"
    )
    assert ended[str(workflows["cancelled"])]["status"] == "cancelled"
    assert ended[str(resolved)]["summary"] is None

    # Compliance: the packs under their fixed ids; a finding opened, then resolved.
    packs = [m for m in by_topic["datawave.compliance"] if m["type"].endswith(".PolicyCreated.v1")]
    assert all("id" not in m["data"] for m in packs)
    assert {m["subject"] for m in packs if m["data"]["pack"]} == {
        str(builtin_policy_id(pack)) for pack in BUILTIN_PACKS
    }
    ledger = of(ledger_id(warehouse), "datawave.compliance")
    assert kinds(ledger)[0] == "LedgerStarted"
    opened = {m["data"]["finding_id"] for m in ledger if m["type"].endswith(".FindingOpened.v1")}
    closed = [m["data"] for m in ledger if m["type"].endswith(".FindingResolved.v1")]
    assert opened and opened == {d["finding_id"] for d in closed}
    assert {d["workflow_id"] for d in closed} == {str(resolved)}
    email = next(
        m["data"]["finding"]
        for m in ledger
        if m["type"].endswith(".FindingOpened.v1") and m["data"]["finding"]["column"] == "email"
    )
    assert email["rule_id"] == "gdpr.personal-data-has-owner"
    assert email["evidence"] == {"column.category": "PII", "source.owner": None}

    # The sealed secret travels only toward the edge, and the clear text nowhere.
    sealed = app.get_source(warehouse).sealed_secret
    assert sealed is not None and sealed.startswith("v1:")
    public = b"\n".join(value for rs in records.values() for _, _, value in rs).decode()
    assert "sealed_secret" not in public
    assert '"v1:' not in public
    assert sealed not in public
    assert PASSWORD not in public
    started = [m for m in messages if m["type"] == "datawave.scans.StageStarted.v1"]
    redacted = {"dsn": "postgresql://u:***@wh.internal/wh"}
    for message in started:
        job = message["data"]["job"]
        assert (job is not None) == (message["data"]["stage"] in EDGE_STAGES)
        assert job is None or job["connection"] == redacted
    jobs = [
        (m["subject"], m["data"]["stage"], m["data"]["attempt"])
        for m in started
        if m["data"]["job"] is not None
    ]
    edge = asyncio.run(kafka_records(system.bootstrap, EDGE_COMMANDS_TOPIC))
    commands = [json.loads(value) for _, _, value in edge]
    assert sorted((c["workflow_id"], c["stage"], c["attempt"]) for c in commands) == sorted(jobs)
    assert all(
        key == c["workflow_id"].encode() for (key, _, _), c in zip(edge, commands, strict=True)
    )
    assert all(c["type"] == "scan_stage" and c["sealed_secret"] == sealed for c in commands)
    assert all(c["connection"] == redacted for c in commands)
    assert PASSWORD.encode() not in b"\n".join(value for _, _, value in edge)
    for opened_app in (compliance, scans, catalog, app):
        opened_app.close()
