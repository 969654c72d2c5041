"""PostgreSQL and Redis sides of the projections: batch writers, positions and views."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

import orjson
from psycopg import AsyncConnection, AsyncCursor
from psycopg.rows import dict_row
from redis.asyncio import Redis

from infra.envelope import CONTEXTS, topic_for
from infra.metrics import ScanFigures
from infra.postgres import EVENTS_TABLE
from projections.assets import CLASSIFICATION
from projections.assets import PROJECTION as ASSETS
from projections.assets import apply_event as apply_asset_event
from projections.data_sources import PROJECTION as SOURCES
from projections.data_sources import Page, apply_event
from projections.scans import PROJECTION as SCANS
from projections.scans import apply_event as apply_scan_event
from projections.tracking import Step, next_step

AUDIT = "audit"

GapFiller = Callable[[UUID, int, int], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class RowModel:
    """A read model with one row per aggregate: its table, its columns, and how an event
    (as published) changes a row."""

    projection: str
    table: str
    columns: tuple[str, ...]
    apply: Callable[[dict[str, Any] | None, dict[str, Any]], dict[str, Any] | None]

    @cached_property
    def upsert(self) -> str:
        # One statement per batch: the rows travel as one JSON array, which PostgreSQL unpacks
        # in C; per-row parameter binding cost more than the rest of the projection together.
        names = ", ".join(self.columns)
        return (
            f"INSERT INTO {self.table} ({names}) SELECT {names} "  # noqa: S608 - constant names
            f"FROM jsonb_populate_recordset(NULL::{self.table}, %s::jsonb) "
            "ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in self.columns if c != "id")
        )


SOURCES_MODEL = RowModel(
    SOURCES,
    "rm_data_sources",
    (
        "id",
        "name",
        "kind",
        "connection",
        "owner",
        "tags",
        "status",
        "last_discovery_status",
        "last_discovery_at",
        "last_discovery_workflow_id",
        "last_discovery_reason",
        "last_discovery_summary",
        "version",
        "position",
        "created_at",
        "updated_at",
    ),
    apply_event,
)
ASSETS_MODEL = RowModel(
    ASSETS,
    "rm_assets",
    (
        "id",
        "data_source_id",
        "qualified_name",
        "kind",
        "columns",
        "primary_key",
        "foreign_keys",
        "row_estimate",
        "status",
        "version",
        "position",
        "created_at",
        "updated_at",
    ),
    apply_asset_event,
)
SCANS_MODEL = RowModel(
    SCANS,
    "rm_scan_workflows",
    (
        "id",
        "data_source_id",
        "status",
        "stages",
        "policy_ids",
        "reason",
        "cancel_requested",
        "rolled_back",
        "requested_by",
        "version",
        "position",
        "created_at",
        "updated_at",
        "ended_at",
    ),
    apply_scan_event,
)
# Which row model each public topic feeds.
ROW_MODELS = {
    topic_for(CONTEXTS["DataSource"]): SOURCES_MODEL,
    topic_for(CONTEXTS["Asset"]): ASSETS_MODEL,
    topic_for(CONTEXTS["ScanWorkflow"]): SCANS_MODEL,
}
PROJECTIONS = (SOURCES, ASSETS, SCANS, AUDIT)
# Each projection's PostgreSQL tables.
TABLES = {
    **{model.projection: model.table for model in ROW_MODELS.values()},
    AUDIT: "rm_audit_events",
}
_INSERT_AUDIT = """
    INSERT INTO rm_audit_events (position, aggregate_id, aggregate_type, aggregate_version, type,
                                 actor, correlation_id, causation_id, time, data)
    SELECT (e->>'position')::bigint, (e->>'subject')::uuid, e->>'aggregatetype',
           (e->>'aggregateversion')::integer, split_part(e->>'type', '.', 3),
           e->>'actor', e->>'correlationid', e->>'causationid', (e->>'time')::timestamptz,
           e->'data'
    FROM jsonb_array_elements(%s::jsonb) AS e
    ON CONFLICT (position) DO NOTHING
"""

# Redis keeps a row only if it is newer than what it holds, so replays never go backwards.
# One call per batch: KEYS[i] gets version ARGV[2i-1] and body ARGV[2i].
_SET_IF_NEWER = """
local written = 0
for i, key in ipairs(KEYS) do
  local version = tonumber(ARGV[2 * i - 1])
  local current = redis.call('HGET', key, 'version')
  if (not current) or tonumber(current) < version then
    redis.call('HSET', key, 'version', version, 'body', ARGV[2 * i])
    written = written + 1
  end
end
return written
"""


async def record_positions(
    cur: AsyncCursor[Any], projections: Iterable[str], positions: dict[tuple[str, int], int]
) -> None:
    """Store, for each projection and topic partition, the highest event-store position applied,
    in the caller's transaction (one round trip for all of them)."""
    await cur.executemany(
        "INSERT INTO projection_positions (projection, topic, partition, position) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT (projection, topic, partition) DO UPDATE "
        "SET position = GREATEST(projection_positions.position, EXCLUDED.position)",
        [(name, t, p, pos) for name in projections for (t, p), pos in positions.items()],
    )


_ESCAPED_NUL = b"\\u0000"


def storable(message: bytes) -> bytes:
    """A published event as the read models can hold it: PostgreSQL text has no NUL character,
    so a NUL in any of the event's strings becomes U+FFFD. The event store keeps the original."""
    return (
        message if _ESCAPED_NUL not in message else orjson.dumps(without_nul(orjson.loads(message)))
    )


def without_nul(value: Any) -> Any:
    """`value` with every NUL character in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


async def apply_rows_batch(
    cur: AsyncCursor[Any], model: RowModel, envelopes: list[dict[str, Any]], fill_gap: GapFiller
) -> dict[str, dict[str, Any]]:
    """Apply a batch to one row model; returns the final rows of the aggregates it touched."""
    ids = list({e["subject"] for e in envelopes})
    await cur.execute(
        f"SELECT * FROM {model.table} WHERE id = ANY(%s::uuid[]) FOR UPDATE",  # noqa: S608
        (ids,),
    )
    rows: dict[str, dict[str, Any]] = {str(r["id"]): dict(r) for r in await cur.fetchall()}
    changed: dict[str, dict[str, Any]] = {}
    for envelope in sorted(envelopes, key=lambda e: int(e["position"])):
        subject = envelope["subject"]
        row = rows.get(subject)
        current = int(row["version"]) if row else 0
        step = next_step(current, int(envelope["aggregateversion"]))
        if step is Step.SKIP:
            continue
        pending = [envelope]
        if step is Step.FILL_GAP:
            missing = await fill_gap(UUID(subject), current, int(envelope["aggregateversion"]))
            pending = [*missing, envelope]
        for item in pending:
            row = model.apply(row, item)
        if row is not None:
            rows[subject] = changed[subject] = row
    if changed:
        rows_json = orjson.dumps(list(changed.values()), default=str).decode()
        await cur.execute(model.upsert, (rows_json,))
    return {sid: rows[sid] for sid in ids if sid in rows}


Item = tuple[str, int, bytes]  # a published event as consumed: topic, partition, message
MAX_REASON = 1000


async def parked_aggregates(
    cur: AsyncCursor[Any], subjects: Iterable[str] | None = None
) -> set[str]:
    """The aggregates (among `subjects`, if given) that have a parked event: their later events
    park too. `cur` returns dict rows."""
    wanted = None if subjects is None else list(subjects)
    await cur.execute(
        "SELECT DISTINCT aggregate_id FROM projection_dead_letters WHERE aggregate_id IS NOT NULL "
        "AND (%(wanted)s::text[] IS NULL OR aggregate_id = ANY(%(wanted)s::text[]))",
        {"wanted": wanted},
    )
    return {str(row["aggregate_id"]) for row in await cur.fetchall()}


async def park(cur: AsyncCursor[Any], items: list[Item], reason: str) -> int | None:
    """Park `items` in the dead-letter table; returns the highest position among them (None
    for a message too broken to name one). A message parked before is not parked again."""
    letters = [_dead_letter(topic, partition, message) for topic, partition, message in items]
    await cur.executemany(
        "INSERT INTO projection_dead_letters (position, topic, partition, aggregate_id, "
        "aggregate_version, type, reason, message) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (position) DO NOTHING",
        [
            (*letter, reason[:MAX_REASON], message)
            for letter, (_, _, message) in zip(letters, items, strict=True)
        ],
    )
    positions = [letter[0] for letter in letters if letter[0] is not None]
    return max(positions) if positions else None


async def parked_count(conn: AsyncConnection[Any]) -> int:
    """How many events the projections have parked: never applied until replayed."""
    cur = await conn.execute("SELECT count(*) FROM projection_dead_letters")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def parked_letters(conn: AsyncConnection[Any]) -> list[dict[str, Any]]:
    """The parked events, oldest first, without their messages."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT position, topic, partition, aggregate_id, aggregate_version, type, reason, "
            "parked_at FROM projection_dead_letters ORDER BY position NULLS LAST, id"
        )
        return [{**row, "parked_at": row["parked_at"].isoformat()} for row in await cur.fetchall()]


def _dead_letter(topic: str, partition: int, message: bytes) -> tuple[Any, ...]:
    """(position, topic, partition, aggregate id, version, type), as much as the message says."""
    try:
        envelope = orjson.loads(message)
        position = int(envelope["position"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return (None, topic, partition, None, None, None)
    subject, version, kind = (envelope.get(k) for k in ("subject", "aggregateversion", "type"))
    return (
        position,
        topic,
        partition,
        None if subject is None else str(subject),  # a missing field stays NULL, not "None"
        version if isinstance(version, int) else None,
        None if kind is None else str(kind),
    )


async def apply_audit_batch(cur: AsyncCursor[Any], raw_envelopes: list[bytes]) -> None:
    """Append to the audit read model; a position already there is a duplicate and skipped.

    Takes the messages as published: PostgreSQL reads the fields out of them itself (binding
    ten arrays of parameters instead took twice as long).
    """
    await cur.execute(_INSERT_AUDIT, ((b"[" + b",".join(raw_envelopes) + b"]").decode(),))


def public_source(row: dict[str, Any]) -> dict[str, Any]:
    """A read-model row as the API shows it."""
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "kind": row["kind"],
        "connection": row["connection"],
        "owner": row["owner"],
        "tags": row["tags"],
        "status": row["status"],
        "last_discovery": {
            "status": row["last_discovery_status"],
            "at": _iso(row["last_discovery_at"]),
            "workflow_id": row.get("last_discovery_workflow_id"),
            "reason": row.get("last_discovery_reason"),
            "summary": row.get("last_discovery_summary"),
        },
        "version": row["version"],
        "position": row["position"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
    }


def _iso(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else str(value.isoformat())


# Per source, how many live columns hold each infotype and each category.
_CLASSIFICATION_COUNTS = """
    SELECT a.data_source_id, c->>'infotype', c->>'category', count(*)
    FROM rm_assets a CROSS JOIN jsonb_array_elements(a.columns) c
    WHERE a.data_source_id = ANY(%s::uuid[]) AND a.status = 'active'
      AND c->>'infotype' IS NOT NULL
    GROUP BY 1, 2, 3
"""
Counts = dict[str, dict[str, int]]


async def classification_counts(
    conn: AsyncConnection[Any], data_source_ids: list[UUID]
) -> dict[UUID, Counts]:
    """For each source, its live columns counted by infotype and by category."""
    counts: dict[UUID, Counts] = {i: {"infotype": {}, "category": {}} for i in data_source_ids}
    cur = await conn.execute(_CLASSIFICATION_COUNTS, (data_source_ids,))
    for source_id, infotype, category, n in await cur.fetchall():
        by = counts[source_id]
        by["infotype"][infotype] = by["infotype"].get(infotype, 0) + n
        by["category"][category] = by["category"].get(category, 0) + n
    return counts


class RedisSourceCache:
    """Current data-source rows in Redis, keyed by id, never older than what they replace; and
    each source's classification counts, replaced whole from the read model."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._set_if_newer = redis.register_script(_SET_IF_NEWER)

    def key(self, data_source_id: str) -> str:
        return f"{self.prefix}:data_source:{data_source_id}"

    async def put_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        keys: list[str] = []
        args: list[Any] = []
        for row in rows:
            keys.append(self.key(str(row["id"])))
            args += [row["version"], orjson.dumps(public_source(row), default=str)]
        if keys:
            await self._set_if_newer(keys=keys, args=args)

    async def get(self, data_source_id: UUID) -> dict[str, Any] | None:
        body = await self.redis.hget(self.key(str(data_source_id)), "body")
        return None if body is None else dict(orjson.loads(body))

    def counts_key(self, data_source_id: UUID | str) -> str:
        return f"{self.prefix}:classification_counts:{data_source_id}"

    async def put_counts(self, counts: dict[UUID, Counts]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for source_id, by in counts.items():
                pipe.set(self.counts_key(source_id), orjson.dumps(by))
            await pipe.execute()

    async def get_counts(self, data_source_id: UUID) -> Counts | None:
        body = await self.redis.get(self.counts_key(data_source_id))
        return None if body is None else dict(orjson.loads(body))

    async def refill(self, conn: AsyncConnection[Any]) -> None:
        """Replace every cached row with the read model's, and drop every cached count (reads
        fall back to PostgreSQL until the worker writes a newer one): after a rebuild. Rows are
        read after the old keys are gone, so a newer row the worker writes meanwhile wins."""
        for pattern in (self.key("*"), self.counts_key("*")):
            keys = [key async for key in self.redis.scan_iter(match=pattern, count=1000)]
            for start in range(0, len(keys), 1000):
                await self.redis.delete(*keys[start : start + 1000])
        async with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            await cur.execute("SELECT * FROM rm_data_sources")
            rows = await cur.fetchall()
        await self.put_rows(rows)


# How a view gets a connection: a pool's, or a fresh one, for the duration of a read.
Connect = Callable[[], AbstractAsyncContextManager[AsyncConnection[Any]]]


class PostgresDataSourceView:
    """Reads rm_data_sources (Redis first for single rows); pages by (created_at, id)."""

    def __init__(self, connection: Connect, cache: RedisSourceCache | None) -> None:
        self._connection = connection
        self._cache = cache

    async def get(self, data_source_id: UUID, min_version: int = 0) -> dict[str, Any] | None:
        # Redis is written just after PostgreSQL commits, so it may lag by one batch: a reader
        # waiting for a version takes the cache only if it already holds that version.
        if self._cache is not None:
            cached = await self._cache.get(data_source_id)
            if cached is not None and int(cached["version"]) >= min_version:
                return cached
        row = await _by_id(self._connection, "rm_data_sources", data_source_id)
        return None if row is None else public_source(row)

    async def classification_counts(self, data_source_id: UUID) -> Counts:
        """Its live columns by infotype and by category: Redis's copy, else the read model's."""
        if self._cache is not None:
            cached = await self._cache.get_counts(data_source_id)
            if cached is not None:
                return cached
        async with self._connection() as conn:
            return (await classification_counts(conn, [data_source_id]))[data_source_id]

    async def list(self, *, limit: int, cursor: str | None, status: str | None) -> Page:
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if status is not None:
            where.append("status = %s")
            params.append(status)
        if cursor is not None:
            created_at, last_id = decode_time_cursor(cursor)
            where.append("(created_at, id) > (%s::timestamptz, %s::uuid)")
            params += [created_at, last_id]
        rows = await _listed(
            self._connection, "rm_data_sources", where, params, "created_at, id", limit
        )
        return _page(
            rows, limit, public_source, lambda r: (r["created_at"].isoformat(), str(r["id"]))
        )


# An aggregate's version in whichever row model holds it: what a consistency token waits for.
_VERSIONS = " UNION ALL ".join(
    f"SELECT id, version FROM {model.table} WHERE id = ANY(%(ids)s)"  # noqa: S608 - ours
    for model in ROW_MODELS.values()
)


async def versions_of(connection: Connect, aggregate_ids: list[UUID]) -> dict[UUID, int]:
    """The read models' version of each aggregate they hold (a source, an asset, a scan)."""
    async with connection() as conn:
        cur = await conn.execute(_VERSIONS, {"ids": aggregate_ids})
        return {row[0]: int(row[1]) for row in await cur.fetchall()}


async def is_stored(connection: Connect, aggregate_id: UUID, version: int) -> bool:
    """Whether the event store holds that version of the aggregate: a token naming none names
    no write, and waiting for it would be in vain."""
    async with connection() as conn:
        cur = await conn.execute(
            f"SELECT 1 FROM {EVENTS_TABLE} "  # noqa: S608 - fixed table name
            "WHERE originator_id = %s AND originator_version = %s",
            (aggregate_id, version),
        )
        return await cur.fetchone() is not None


async def _by_id(connection: Connect, table: str, row_id: UUID) -> dict[str, Any] | None:
    """One row of a read-model table by its id."""
    async with connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT * FROM {table} WHERE id = %s", (row_id,))  # noqa: S608 - ours
        return await cur.fetchone()


async def _listed(
    connection: Connect, table: str, where: list[str], params: list[Any], order: str, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit + 1` rows of a read-model table meeting every clause of `where`, in order."""
    sql = (
        f"SELECT * FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608 - fixed clauses
        f"ORDER BY {order} LIMIT %s"
    )
    async with connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql, [*params, limit + 1])
        return await cur.fetchall()


def _page(
    rows: list[dict[str, Any]],
    limit: int,
    public: Callable[[dict[str, Any]], dict[str, Any]],
    sort_key: Callable[[dict[str, Any]], tuple[str, str]],
) -> Page:
    """A page from up to `limit + 1` rows: the extra row only tells that there is more."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(*sort_key(rows[-1])) if more and rows else None
    return Page([public(r) for r in rows], next_cursor)


def _like_escaped(text: str) -> str:
    """`text` matched literally inside an ILIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def encode_cursor(*parts: str) -> str:
    """An opaque cursor: clients pass it back unchanged."""
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode()


_NOT_ISSUED = "the cursor is not one this API issued"


def decode_cursor(cursor: str) -> tuple[str, UUID]:
    """The sort key and id of a cursor this API issued; anything else raises ValueError."""
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
        first, second = decoded.rsplit("|", 1)  # a name may hold "|"; an id does not
        last_id = UUID(second)
    except Exception as error:
        raise ValueError(_NOT_ISSUED) from error
    # Issued cursors encode back to themselves: no padding trick or appended byte passes.
    if encode_cursor(first, second) != cursor or "\x00" in first:
        raise ValueError(_NOT_ISSUED)
    return first, last_id


def decode_time_cursor(cursor: str) -> tuple[datetime, UUID]:
    """A cursor whose sort key is a creation time."""
    first, last_id = decode_cursor(cursor)
    try:
        created = datetime.fromisoformat(first)
    except ValueError:
        raise ValueError(_NOT_ISSUED) from None
    if created.tzinfo is None:
        raise ValueError(_NOT_ISSUED)
    return created, last_id


def public_asset(row: dict[str, Any]) -> dict[str, Any]:
    """An asset read-model row as the API shows it."""
    return {
        "id": str(row["id"]),
        "data_source_id": str(row["data_source_id"]),
        "qualified_name": row["qualified_name"],
        "kind": row["kind"],
        "status": row["status"],
        # Rows written before a field was added to the classification lack it: null.
        "columns": [{**c, **{k: c.get(k) for k in CLASSIFICATION}} for c in row["columns"]],
        "primary_key": row["primary_key"],
        "foreign_keys": row["foreign_keys"],
        "row_estimate": row["row_estimate"],
        "version": row["version"],
        "position": row["position"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
    }


class PostgresAssetView:
    """Reads rm_assets; pages by (qualified_name, id)."""

    def __init__(self, connection: Connect) -> None:
        self._connection = connection

    async def get(self, asset_id: UUID) -> dict[str, Any] | None:
        row = await _by_id(self._connection, "rm_assets", asset_id)
        return None if row is None else public_asset(row)

    async def list(
        self,
        *,
        limit: int,
        cursor: str | None,
        data_source_id: UUID | None,
        q: str | None,
        infotype: str | None,
        category: str | None,
    ) -> Page:
        where: list[str] = ["status = 'active'"]
        params: list[Any] = []
        if data_source_id is not None:
            where.append("data_source_id = %s")
            params.append(data_source_id)
        if q:
            where.append("qualified_name ILIKE %s")
            params.append(f"%{_like_escaped(q)}%")
        for key, value in (("infotype", infotype), ("category", category)):
            if value is not None:
                where.append("columns @> %s::jsonb")
                params.append(orjson.dumps([{key: value}]).decode())
        if cursor is not None:
            name, last_id = decode_cursor(cursor)
            where.append("(qualified_name, id) > (%s, %s::uuid)")
            params += [name, last_id]
        rows = await _listed(
            self._connection, "rm_assets", where, params, "qualified_name, id", limit
        )
        return _page(rows, limit, public_asset, lambda r: (r["qualified_name"], str(r["id"])))


def public_scan(row: dict[str, Any]) -> dict[str, Any]:
    """A scan-workflow read-model row as the API shows it."""
    return {
        "id": str(row["id"]),
        "data_source_id": str(row["data_source_id"]),
        "status": row["status"],
        "stages": row["stages"],
        "policy_ids": row["policy_ids"],
        "reason": row["reason"],
        "cancel_requested": row["cancel_requested"],
        "rolled_back": row["rolled_back"],
        "requested_by": row["requested_by"],
        "version": row["version"],
        "position": row["position"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
        "ended_at": _iso(row["ended_at"]),
    }


class PostgresScanView:
    """Reads rm_scan_workflows; lists newest first, paged by (created_at, id)."""

    def __init__(self, connection: Connect) -> None:
        self._connection = connection

    async def get(self, workflow_id: UUID) -> dict[str, Any] | None:
        row = await _by_id(self._connection, "rm_scan_workflows", workflow_id)
        return None if row is None else public_scan(row)

    async def list(
        self, *, limit: int, cursor: str | None, data_source_id: UUID | None, status: str | None
    ) -> Page:
        where: list[str] = ["true"]
        params: list[Any] = []
        if data_source_id is not None:
            where.append("data_source_id = %s")
            params.append(data_source_id)
        if status is not None:
            where.append("status = %s")
            params.append(status)
        if cursor is not None:
            created, last_id = decode_time_cursor(cursor)
            where.append("(created_at, id) < (%s::timestamptz, %s::uuid)")
            params += [created, last_id]
        rows = await _listed(
            self._connection, "rm_scan_workflows", where, params, "created_at DESC, id DESC", limit
        )
        return _page(
            rows, limit, public_scan, lambda r: (r["created_at"].isoformat(), str(r["id"]))
        )


async def active_workflows(conn: AsyncConnection[Any]) -> list[UUID]:
    """Workflows not ended yet, as far as the read model knows: what the process manager's
    timer looks after (time-outs, retries that fell due)."""
    cur = await conn.execute(
        "SELECT id FROM rm_scan_workflows WHERE status IN ('pending', 'running') ORDER BY id"
    )
    return [row[0] for row in await cur.fetchall()]


async def aggregate_ids(conn: AsyncConnection[Any], aggregate_type: str) -> list[UUID]:
    """The ids of every aggregate of a type the audit trail has seen created, oldest first:
    for the few aggregates (policies) that need no read model of their own."""
    cur = await conn.execute(
        "SELECT aggregate_id FROM rm_audit_events "
        "WHERE aggregate_type = %s AND aggregate_version = 1 ORDER BY position",
        (aggregate_type,),
    )
    return [row[0] for row in await cur.fetchall()]


_STAGE_RUNS = """
    SELECT s->>'name', s->>'status', (s->>'attempts')::int,
           EXTRACT(EPOCH FROM (s->>'completed_at')::timestamptz - (s->>'started_at')::timestamptz)
    FROM rm_scan_workflows w CROSS JOIN jsonb_array_elements(w.stages) s
    WHERE (s->>'attempts')::int > 0
"""
# Per finding, its latest event: the open ones are those last opened.
_LATEST_FINDINGS = """
    SELECT DISTINCT ON (data->>'finding_id') type, data->'finding'->>'policy',
           data->'finding'->>'severity'
    FROM rm_audit_events
    WHERE aggregate_type = 'FindingLedger' AND type IN ('FindingOpened', 'FindingResolved')
    ORDER BY data->>'finding_id', position DESC
"""


async def scan_figures(conn: AsyncConnection[Any]) -> ScanFigures:
    """Stage durations and retries from the workflow read model, open findings from the audit
    trail."""
    figures = ScanFigures()
    for stage, status, attempts, seconds in await (await conn.execute(_STAGE_RUNS)).fetchall():
        figures.retries[stage] = figures.retries.get(stage, 0) + max(attempts - 1, 0)
        if status in ("completed", "failed") and seconds is not None:
            figures.stage_runs.append((stage, status, float(seconds)))
    for kind, policy, severity in await (await conn.execute(_LATEST_FINDINGS)).fetchall():
        if kind == "FindingOpened":
            key = (str(policy), str(severity))
            figures.open_findings[key] = figures.open_findings.get(key, 0) + 1
    return figures
