"""PostgreSQL plumbing: eventsourcing's settings from a DSN, and the derived tables' schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg

from domain.connections import split_secret
from domain.errors import InvalidCommandError

EVENTS_TABLE = "datawave_events"

SCHEMA = """
CREATE TABLE IF NOT EXISTS rm_data_sources (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL,
    connection jsonb NOT NULL,
    owner text,
    tags jsonb NOT NULL DEFAULT '[]',
    status text NOT NULL,
    last_discovery_status text,
    last_discovery_at timestamptz,
    version integer NOT NULL,
    position bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_data_sources_order ON rm_data_sources (created_at, id);
ALTER TABLE rm_data_sources ADD COLUMN IF NOT EXISTS last_discovery_workflow_id text;
ALTER TABLE rm_data_sources ADD COLUMN IF NOT EXISTS last_discovery_reason text;
ALTER TABLE rm_data_sources ADD COLUMN IF NOT EXISTS last_discovery_summary jsonb;
CREATE TABLE IF NOT EXISTS rm_assets (
    id uuid PRIMARY KEY,
    data_source_id uuid NOT NULL,
    qualified_name text NOT NULL,
    kind text NOT NULL,
    columns jsonb NOT NULL,
    primary_key jsonb NOT NULL DEFAULT '[]',
    foreign_keys jsonb NOT NULL DEFAULT '[]',
    row_estimate bigint,
    status text NOT NULL,
    version integer NOT NULL,
    position bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_assets_order ON rm_assets (qualified_name, id);
CREATE INDEX IF NOT EXISTS rm_assets_source ON rm_assets (data_source_id, qualified_name, id);
CREATE TABLE IF NOT EXISTS catalog_inventory (
    data_source_id uuid NOT NULL,
    qualified_name text NOT NULL,
    asset_id uuid NOT NULL,
    workflow_id text NOT NULL,
    live boolean NOT NULL DEFAULT true,
    PRIMARY KEY (data_source_id, qualified_name)
);
CREATE INDEX IF NOT EXISTS catalog_inventory_asset ON catalog_inventory (data_source_id, asset_id);
CREATE TABLE IF NOT EXISTS rm_scan_workflows (
    id uuid PRIMARY KEY,
    data_source_id uuid NOT NULL,
    status text NOT NULL,
    stages jsonb NOT NULL,
    policy_ids jsonb,
    reason text,
    cancel_requested boolean NOT NULL DEFAULT false,
    rolled_back jsonb,
    requested_by text,
    version integer NOT NULL,
    position bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    ended_at timestamptz
);
CREATE INDEX IF NOT EXISTS rm_scan_workflows_order ON rm_scan_workflows (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS rm_scan_workflows_source
    ON rm_scan_workflows (data_source_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS rm_scan_workflows_active
    ON rm_scan_workflows (id) WHERE status IN ('pending', 'running');
CREATE TABLE IF NOT EXISTS rm_audit_events (
    position bigint PRIMARY KEY,
    aggregate_id uuid NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_version integer NOT NULL,
    type text NOT NULL,
    actor text,
    correlation_id text,
    causation_id text,
    time timestamptz NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_audit_events_aggregate ON rm_audit_events (aggregate_id, position);
CREATE INDEX IF NOT EXISTS rm_audit_events_actor ON rm_audit_events (actor, position);
CREATE INDEX IF NOT EXISTS rm_audit_events_time ON rm_audit_events (time);
CREATE INDEX IF NOT EXISTS rm_audit_events_kind ON rm_audit_events (aggregate_type, type);
CREATE TABLE IF NOT EXISTS projection_positions (
    projection text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (projection, topic, partition)
);
-- Events a projection could not apply for a reason retrying cannot cure (a poison event), and
-- every later event of the same aggregate, parked in order (DESIGN.md 1.5).
CREATE TABLE IF NOT EXISTS projection_dead_letters (
    id bigserial PRIMARY KEY,
    position bigint UNIQUE,
    topic text NOT NULL,
    partition integer NOT NULL,
    aggregate_id text,
    aggregate_version integer,
    type text,
    reason text NOT NULL,
    message bytea NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS projection_dead_letters_aggregate
    ON projection_dead_letters (aggregate_id);
CREATE TABLE IF NOT EXISTS relay_partitions (
    topic text NOT NULL,
    partition integer NOT NULL,
    position bigint NOT NULL,
    next_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
CREATE TABLE IF NOT EXISTS relay_position (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position bigint NOT NULL
);
"""

# Per projection and partition, what it applied, where the relay published more than that.
# The smallest such position is where a rewound relay must start again.
_BEHIND = """
    SELECT names.projection, COALESCE(p.position, 0) AS applied
    FROM relay_partitions r
    CROSS JOIN unnest(%s::text[]) AS names(projection)
    LEFT JOIN projection_positions p
      ON p.projection = names.projection AND p.topic = r.topic AND p.partition = r.partition
    WHERE COALESCE(p.position, 0) < r.position
      AND r.topic NOT LIKE 'datawave.edge.%%'  -- edge agents' work: no projection reads it
"""
LOWEST_NEEDED_SQL = f"SELECT MIN(applied) FROM ({_BEHIND}) behind"  # noqa: S608 - constant
LAG_SQL = f"""
    SELECT names.projection,
           COALESCE((SELECT MIN(applied) FROM ({_BEHIND}) b WHERE b.projection = names.projection),
                    (SELECT position FROM relay_position), 0)
    FROM unnest(%s::text[]) AS names(projection)
"""  # noqa: S608 - constant

# One advisory lock key per role; the value is arbitrary but fixed.
RELAY_LOCK_KEY = 7_310_001
SCHEMA_LOCK_KEY = 7_310_002


def eventsourcing_env(dsn: str) -> dict[str, str]:
    """The POSTGRES_* settings eventsourcing reads, taken from one connection URL."""
    parts = urlsplit(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        # Connections open on demand and close when idle: every process holds one application
        # per context, and a system must fit well inside PostgreSQL's default 100 connections.
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "15",
        "CREATE_TABLE": "y",
        "APPLICATION_RECORDER_TOPIC": "infra.event_recorder:OrderedInsertRecorder",
    }


@contextmanager
def schema_lock(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """Serialise schema changes across processes: concurrent `CREATE OR REPLACE FUNCTION` (the
    event store creates one) fails with "tuple concurrently updated" in PostgreSQL."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            yield conn
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


def create_schema(dsn: str) -> None:
    """Create the read-model and tracking tables; safe to run from several processes at once."""
    with schema_lock(dsn) as conn:
        conn.execute(SCHEMA)


def redact_dsn(dsn: str) -> str:
    """A URL fit for logs and status output: its password, in the user-info or the query
    (`?password=`), replaced by a marker, as in a source's connection."""
    try:
        return split_secret({"dsn": dsn}).redacted["dsn"]
    except InvalidCommandError:  # not a URL that can be taken apart: show none of it
        return "(a URL that cannot be parsed; not shown)"
