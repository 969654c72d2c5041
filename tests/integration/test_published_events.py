"""What the relay publishes matches the documented JSON Schemas, keyed and ordered per aggregate,
and no sealed secret reaches a public topic."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from commands.catalog import Catalog
from commands.data_sources import DataSources
from commands.messages import (
    ChangeRule,
    DecommissionDataSource,
    OverrideClassification,
    PublishRuleSet,
    RegisterDataSource,
    RemoveRule,
    RequestDiscovery,
    UpdateDataSource,
)
from commands.rule_sets import RuleSets
from domain.catalog import asset_id
from domain.meta import EventMeta
from edge.classification.rules import classify_table
from edge.connectors.base import Column, ForeignKey, Sample, Table
from edge.discovery import observed
from edge.profiling import profile_table
from infra.envelope import EDGE_COMMANDS_TOPIC
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_catalog, open_event_store, open_rule_sets
from streams.catalog_ingest import GONE_REASON
from tests.e2e.test_secret_canary import kafka_messages
from tests.support import META, System

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
PUBLIC_TOPICS = ("datawave.sources", "datawave.catalog", "datawave.classification")
PASSWORD = "Wh-7c1e-Pa55w0rd"

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

CUSTOMER_ROWS: list[tuple[object, ...]] = [
    (1, "ann@x.io", 31),
    (2, None, 40),
    (3, "Bo@y.org", None),
]
DRIFTED_ROWS: list[tuple[object, ...]] = [
    (1, "ann@x.io", "2024-01-02"),
    (2, "cy@x.io", None),
    (3, "Bo@y.org", "2023-12-31"),
    (4, "di 2@z.net", "2024-03-04"),
]
ORDER_ROWS: list[tuple[object, ...]] = [(10, 1), (11, None)]


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


def as_reported(table: Table, rows: list[tuple[object, ...]] | None) -> dict[str, Any]:
    """The table as an edge agent reports it: profiled and classified from `rows`, or
    unreadable (None)."""
    if rows is None:
        return observed(table, None)
    sample = Sample(rows)
    profiles = {name: p.to_dict() for name, p in profile_table(table, sample).items()}
    classified = {name: c.to_dict() for name, c in classify_table(table, sample).items()}
    return observed(table, profiles, classified)


def discover(
    sources: DataSources,
    catalog: Catalog,
    source_id: UUID,
    outcome: dict[str, Any],
    tables: list[dict[str, Any]],
    gone: list[str] | None = None,
) -> None:
    """One discovery as the catalog ingest agent records it, without an edge agent: the
    reported tables ingested, the tables no longer found decommissioned, the outcome recorded."""
    workflow_id = sources.request_discovery(RequestDiscovery(source_id), META).workflow_id
    meta = EventMeta(actor="edge-agent:test", correlation_id=workflow_id, causation_id=workflow_id)
    if tables:
        catalog.ingest(source_id, tables, meta)
    if gone:
        retired = [asset_id(source_id, name) for name in gone]
        assert catalog.decommission(retired, GONE_REASON, meta) == len(retired)
    sources.record_discovery(source_id, workflow_id, outcome, meta)


def publish_discovery_events(sources: DataSources, catalog: Catalog) -> UUID:
    """Every discovery and catalog event type, through the application use cases; returns the
    discovered source's id."""
    warehouse = sources.register(
        RegisterDataSource(
            "warehouse", "postgresql", {"dsn": f"postgresql://u:{PASSWORD}@wh.internal/wh"}
        ),
        META,
    ).aggregate_id
    orders = as_reported(ORDERS, ORDER_ROWS)
    skipped = [{"table": "public.legacy", "reason": "permission denied for view legacy"}]
    discover(
        sources,
        catalog,
        warehouse,
        {"status": "completed", "tables": 3, "skipped": skipped, "removed": 0},
        [as_reported(CUSTOMERS, CUSTOMER_ROWS), orders, as_reported(LEGACY, None)],
    )
    # Customers drifted, orders did not, legacy is gone.
    discover(
        sources,
        catalog,
        warehouse,
        {"status": "completed", "tables": 2, "skipped": [], "removed": 1},
        [as_reported(CUSTOMERS_DRIFTED, DRIFTED_ROWS), orders],
        gone=["public.legacy"],
    )
    discover(sources, catalog, warehouse, {"status": "failed", "reason": "connection refused"}, [])
    # Legacy is back: its decommissioned asset is rediscovered whole.
    discover(
        sources,
        catalog,
        warehouse,
        {"status": "completed", "tables": 1, "skipped": [], "removed": 0},
        [as_reported(LEGACY, [("A-1",), ("B-22",)])],
    )
    # A steward's decision on a column.
    orders_id = asset_id(warehouse, ORDERS.qualified_name)
    decision = OverrideClassification(orders_id, "customer_id", None, "an internal key")
    catalog.override_classification(decision, META)
    return warehouse


def publish_rule_set_events(rule_sets: RuleSets) -> None:
    """Every rule-set event type: a rule added, changed, another added and removed, published."""
    rule = {"infotype": "NATIONAL_ID", "value_pattern": r"KN-\d{6}"}
    rule_sets.put_rule(ChangeRule("kn", rule), META)
    rule_sets.put_rule(ChangeRule("kn", {**rule, "confidence": 0.95}), META)
    rule_sets.put_rule(ChangeRule("tmp", {"infotype": "USERNAME", "name_pattern": "^login$"}), META)
    rule_sets.remove_rule(RemoveRule("tmp"), META)
    rule_sets.publish(PublishRuleSet(), META)


def test_published_events_match_their_schemas(system: System) -> None:
    create_schema(system.dsn)
    app = open_event_store(system.dsn, AesGcmSecretBox("k"))
    catalog = open_catalog(system.dsn)
    first = app.register(
        RegisterDataSource("crm", "postgresql", {"dsn": "postgresql://u:pw@h/db"}, "o", ["a"]), META
    )
    app.update(UpdateDataSource(first.aggregate_id, owner="p", tags=["b"]), META)
    app.update(UpdateDataSource(first.aggregate_id, connection={"dsn": "postgresql://h/db2"}), META)
    app.decommission(DecommissionDataSource(first.aggregate_id, reason="gone"), META)
    app.register(RegisterDataSource("files", "csv", {"path": "/data/files"}), META)
    publish_rule_set_events(open_rule_sets(system.dsn))
    warehouse = publish_discovery_events(app, catalog)
    system.start("relay")
    system.wait_caught_up_relay()

    raw = {t: asyncio.run(kafka_messages(system.bootstrap, t)) for t in PUBLIC_TOPICS}
    by_topic = {t: [json.loads(m) for m in values] for t, values in raw.items()}
    messages = [m for values in by_topic.values() for m in values]
    by_type = validators()
    assert {m["type"] for m in messages} == set(by_type)
    for topic, values in by_topic.items():
        assert {m["type"].rsplit(".", 2)[0] for m in values} == {topic}
    for message in messages:
        errors = [e.message for e in by_type[message["type"]].iter_errors(message)]
        assert errors == [], (message["type"], errors)

    crm: list[dict[str, Any]] = [m for m in messages if m["subject"] == str(first.aggregate_id)]
    assert [m["aggregateversion"] for m in crm] == [1, 2, 3, 4]
    customers = [
        m
        for m in by_topic["datawave.catalog"]
        if m["subject"] == str(asset_id(warehouse, "public.customers"))
    ]
    assert [m["aggregateversion"] for m in customers] == list(range(1, len(customers) + 1))
    kinds = [m["type"].split(".")[2] for m in customers]
    assert [k for k in kinds if k != "ColumnClassified"] == [
        "Discovered",
        "ColumnRemoved",
        "ColumnTypeChanged",
        "ColumnNullabilityChanged",
        "ColumnAdded",
        "KeysChanged",
        "StatisticsUpdated",
    ]
    classified = [m["data"] for m in customers if m["type"].endswith(".ColumnClassified.v1")]
    assert classified and all(c["classification"]["rule_set"] for c in classified)
    assert customers[0]["data"]["data_source_id"] == str(warehouse)
    retyped = next(m for m in customers if m["type"].endswith(".ColumnTypeChanged.v1"))
    assert retyped["data"] == {
        "name": "email",
        "old_type": "text",
        "new_type": "character varying(200)",
    }
    requested = [m for m in messages if m["type"] == "datawave.sources.DiscoveryRequested.v1"]
    assert requested[0]["data"]["connection"] == {"dsn": "postgresql://u:***@wh.internal/wh"}
    assert requested[0]["correlationid"] == requested[0]["data"]["workflow_id"]

    # The sealed secret travels only toward the edge, and the clear text nowhere.
    sealed = app.get_source(warehouse).sealed_secret
    assert sealed is not None and sealed.startswith("v1:")
    public = b"\n".join(m for values in raw.values() for m in values).decode()
    assert "sealed_secret" not in public
    assert '"v1:' not in public
    assert sealed not in public
    assert PASSWORD not in public
    commands = asyncio.run(kafka_messages(system.bootstrap, EDGE_COMMANDS_TOPIC))
    assert len(commands) == len(requested) == 4
    assert all(json.loads(c)["sealed_secret"] == sealed for c in commands)
    assert PASSWORD.encode() not in b"\n".join(commands)
    catalog.close()
    app.close()
