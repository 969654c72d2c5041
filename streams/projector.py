"""The projection worker: a Faust agent applies published events to PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import faust
import orjson
import psycopg
import structlog
from psycopg import AsyncConnection, AsyncCursor
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from infra.envelope import (
    CONTEXTS,
    EDGE_RESULTS_TOPIC,
    encode,
    is_claim_check,
    topic_for,
    topic_of,
)
from infra.event_log import EventLog, LoggedEvent
from infra.kafka import PUBLIC_TOPICS
from infra.notifications import until_first
from infra.projection_signal import announce
from infra.read_models import (
    AUDIT,
    PROJECTIONS,
    ROW_MODELS,
    TABLES,
    Item,
    RedisSourceCache,
    RowModel,
    apply_audit_batch,
    apply_rows_batch,
    classification_counts,
    park,
    parked_aggregates,
    record_positions,
    storable,
    without_nul,
)
from projections.assets import PROJECTION as ASSETS
from projections.data_sources import PROJECTION as SOURCES
from streams.catalog_ingest import CatalogIngest
from streams.faust_app import PromptApp
from streams.process_manager import ProcessManager
from streams.retries import database_retries

log = structlog.get_logger()

SCANS_TOPIC = topic_for(CONTEXTS["ScanWorkflow"])

BATCH_SIZE = 2000
LOCK_ATTEMPTS = 5  # a rebuild's tries at its table lock (see Projector._lock_for_rebuild)
BATCH_WINDOW = 0.02
# What a projection retries (with backoff) rather than calling an event poison.
TRANSIENT = (psycopg.OperationalError, RedisConnectionError, RedisTimeoutError)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did: the projections, the events applied, the position they reflect, the
    events left out because their aggregate has a parked event, and why the Redis cache could
    not be refilled, if it could not."""

    projections: tuple[str, ...]
    events: int
    position: int
    held_back: int = 0
    cache_failure: str | None = None


class RebuildError(Exception):
    """An event the rebuild cannot apply; the rebuild changed nothing."""


# Rebuild progress: (position reached, newest position when the rebuild started).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Replay:
    """What replaying one aggregate's parked events did: `failure` is None if they all applied."""

    aggregate_id: str
    events: int
    failure: str | None


class Projector:
    """Applies one batch: read models and positions in one transaction, then the Redis cache."""

    def __init__(self, dsn: str, cache: RedisSourceCache, event_log: EventLog) -> None:
        self.dsn = dsn
        self.cache = cache
        self.event_log = event_log
        self._conn: AsyncConnection[Any] | None = None

    async def apply(self, items: list[Item]) -> None:
        """Apply (topic, partition, message) items. A transient error (the database or Redis
        gone for a while) is retried until it passes: the projection waits, its lag shows it,
        nothing is skipped. A batch that fails for another reason is applied again event by
        event, and the events that fail alone are parked (a poison event), with every later
        event of their aggregates."""
        async for attempt in database_retries(
            lambda state: log.warning("projection_retry", attempt=state.attempt_number),
            TRANSIENT,
            attempts=None,
        ):
            with attempt:
                try:
                    await self._apply_once(items)
                except TRANSIENT:
                    raise
                except Exception:  # noqa: BLE001 - a poison event somewhere in the batch
                    await self._apply_each(items)

    async def _apply_each(self, items: list[Item]) -> None:
        for item in items:
            try:
                await self._apply_once([item])
            except TRANSIENT:
                raise
            except Exception as error:  # noqa: BLE001 - parked with its reason, never skipped
                await self._park(item, f"{type(error).__name__}: {error}")

    async def _park(self, item: Item, reason: str) -> None:
        topic, partition, _ = item
        conn = await self._connection()
        async with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            position = await park(cur, [item], reason)
            if position is not None:
                await record_positions(cur, PROJECTIONS, {(topic, partition): position})
                await announce(cur, position)
        log.error(
            "projection_event_parked",
            topic=topic,
            partition=partition,
            position=position,
            reason=reason[:200],
        )

    async def replay_parked(self) -> list[Replay]:
        """Apply the parked events again, once what made them fail is fixed: aggregate by
        aggregate, in order. An aggregate's events leave the dead-letter table only if all of
        them apply, in the transaction that applies them; otherwise they all stay."""
        conn = await self._connection()
        async with conn.transaction():
            cur = await conn.execute(
                "SELECT aggregate_id FROM projection_dead_letters WHERE aggregate_id IS NOT NULL "
                "GROUP BY aggregate_id ORDER BY min(position)"
            )
            aggregates = [str(row[0]) for row in await cur.fetchall()]
        replays = []
        for aggregate in aggregates:
            letters: list[tuple[Any, ...]] = []
            try:
                async with conn.transaction():
                    cur = await conn.execute(
                        "DELETE FROM projection_dead_letters WHERE aggregate_id = %s "
                        "RETURNING position, topic, partition, message",
                        (aggregate,),
                    )
                    letters = sorted(await cur.fetchall(), key=lambda letter: letter[0])
                    await self._apply_once([(t, p, bytes(m)) for _, t, p, m in letters])
            except TRANSIENT:
                raise
            except Exception as error:  # noqa: BLE001 - reported; the events stay parked
                replays.append(Replay(aggregate, len(letters), f"{type(error).__name__}: {error}"))
            else:
                replays.append(Replay(aggregate, len(letters), None))
        return replays

    async def rebuild(self, projections: Sequence[str], progress: Progress) -> Rebuilt:
        """Build the projections again from the event store (not from Kafka, whose retention is
        finite), then refill the Redis cache from them.

        One transaction: readers keep seeing the old rows until it commits, then the new ones.
        The worker waits for it and then finds what the rebuild applied already there (skipped
        as duplicates). The events of aggregates with a parked event stay out, as in the
        worker, for `projections replay`. An event that cannot be applied fails the rebuild
        with RebuildError, naming it: nothing changes."""
        tables = [TABLES[name] for name in projections]
        models = {t: m for t, m in ROW_MODELS.items() if m.projection in projections}
        end = await asyncio.to_thread(self.event_log.last_position)
        conn = await self._connection()
        applied = held_back = position = 0
        async with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            await self._lock_for_rebuild(cur, tables)
            held = await parked_aggregates(cur)
            for table in tables:
                await cur.execute(f"DELETE FROM {table}")  # noqa: S608 - our table names
            # The next batch is read from the event store while this one is applied.
            reading = asyncio.ensure_future(self._read_log(position))
            try:
                while batch := await reading:
                    position = batch[-1].position
                    reading = asyncio.ensure_future(self._read_log(position))
                    messages = [
                        storable(encode(e.envelope)) for e in batch if e.envelope is not None
                    ]
                    decoded = [(message, orjson.loads(message)) for message in messages]
                    kept = [(m, e) for m, e in decoded if e["subject"] not in held]
                    await self._rebuild_batch(cur, kept, models, audit=AUDIT in projections)
                    applied += len(kept)
                    held_back += len(decoded) - len(kept)
                    progress(position, max(end, position))
            finally:
                reading.cancel()
        cache_failure = None
        if SOURCES in projections or ASSETS in projections:  # the cache holds sources and counts
            try:
                await self.cache.refill(conn)
            except Exception as error:  # noqa: BLE001 - the rebuild stands; reported
                cache_failure = f"{type(error).__name__}: {error}"
        return Rebuilt(tuple(projections), applied, position, held_back, cache_failure)

    async def _read_log(self, after: int) -> list[LoggedEvent]:
        return await asyncio.to_thread(self.event_log.read, after, BATCH_SIZE)

    async def _rebuild_batch(
        self,
        cur: AsyncCursor[Any],
        decoded: list[tuple[bytes, dict[str, Any]]],
        models: dict[str, RowModel],
        *,
        audit: bool,
    ) -> None:
        """Apply a batch in a savepoint; if it fails, event by event, to name the culprit."""
        try:
            async with cur.connection.transaction():
                await self._apply_models(cur, decoded, models, audit=audit)
        except TRANSIENT:
            raise
        except Exception:  # noqa: BLE001 - found and named below
            log.warning("rebuild_batch_failed", events=len(decoded))
        else:
            return
        for message, envelope in decoded:
            try:
                async with cur.connection.transaction():
                    await self._apply_models(cur, [(message, envelope)], models, audit=audit)
            except TRANSIENT:
                raise
            except Exception as error:
                raise RebuildError(
                    f"the event at position {envelope.get('position')} ({envelope.get('type')} "
                    f"of {envelope.get('subject')}) cannot be applied: "
                    f"{type(error).__name__}: {error}".splitlines()[0]
                ) from error

    async def _apply_models(
        self,
        cur: AsyncCursor[Any],
        decoded: list[tuple[bytes, dict[str, Any]]],
        models: dict[str, RowModel],
        *,
        audit: bool,
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """Apply (message, envelope) pairs to the row models of their topics (`models`: topic ->
        model) and, if `audit`, to the audit trail; returns each projection's changed rows."""
        by_topic: dict[str, list[dict[str, Any]]] = {}
        for _, envelope in decoded:
            by_topic.setdefault(topic_of(envelope), []).append(envelope)
        changed = {}
        for topic, envelopes in by_topic.items():
            model = models.get(topic)
            if model is not None:  # else a context only the audit trail shows (rule sets)
                changed[model.projection] = await apply_rows_batch(
                    cur, model, envelopes, self._fill_gap
                )
        if audit and decoded:
            await apply_audit_batch(cur, [message for message, _ in decoded])
        return changed

    @staticmethod
    async def _lock_for_rebuild(cur: AsyncCursor[Any], tables: list[str]) -> None:
        """EXCLUSIVE: readers pass, the worker's batches (SELECT … FOR UPDATE, then writes) wait,
        and once granted no other transaction holds a row of these tables, so the rebuild waits
        for nothing more. Taking it can deadlock with a batch half done (it holds one table and
        wants another); PostgreSQL then cancels one side: if it is this one, take it again."""
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                async with cur.connection.transaction():  # a savepoint, undone on a deadlock
                    await cur.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
                return
            except psycopg.errors.DeadlockDetected:
                if attempt == LOCK_ATTEMPTS:
                    raise
                log.warning("rebuild_lock_deadlock", attempt=attempt)

    async def _apply_once(self, items: list[Item]) -> None:
        conn = await self._connection()
        positions: dict[tuple[str, int], int] = {}
        decoded: list[tuple[Item, dict[str, Any]]] = []
        for topic, partition, message in items:
            message = storable(message)
            envelope = orjson.loads(message)
            if is_claim_check(envelope):  # too large for Kafka: its data is in the event store
                envelope = await self._claimed(envelope)
                message = encode(envelope)
            key = (topic, partition)
            positions[key] = max(positions.get(key, 0), int(envelope["position"]))
            decoded.append(((topic, partition, message), envelope))
        try:
            async with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                held = await parked_aggregates(cur, {e["subject"] for _, e in decoded})
                if held:
                    later = [item for item, e in decoded if e["subject"] in held]
                    await park(cur, later, "an earlier event of its aggregate is parked")
                    decoded = [(item, e) for item, e in decoded if e["subject"] not in held]
                changed = await self._apply_models(
                    cur, [(message, e) for (_, _, message), e in decoded], ROW_MODELS, audit=True
                )
                touched = changed.get(SOURCES, {})
                cataloged = {
                    UUID(str(r["data_source_id"])) for r in changed.get(ASSETS, {}).values()
                }
                # Read in the batch's transaction, which sees its own writes.
                counts = await classification_counts(conn, sorted(cataloged)) if cataloged else {}
                # Every projection has seen the whole batch, acting on what concerns it.
                await record_positions(cur, PROJECTIONS, positions)
                await announce(cur, max(positions.values()))
        except psycopg.OperationalError:
            await self._reset()
            raise
        # After the commit: a crash here leaves Redis behind, and the redelivered batch (skipped in
        # PostgreSQL as duplicates) still refreshes it from the committed rows.
        await self.cache.put_rows(touched.values())
        if counts:
            await self.cache.put_counts(counts)

    async def _claimed(self, claim: dict[str, Any]) -> dict[str, Any]:
        """The whole envelope a claim check stands for, read from the event store."""
        version = int(claim["aggregateversion"])
        found = await self._stored(UUID(claim["subject"]), version - 1, version + 1)
        if not found:
            raise LookupError(f"no stored event for the claim check at {claim['position']}")
        return found[0]

    async def _fill_gap(self, aggregate_id: UUID, after: int, before: int) -> list[dict[str, Any]]:
        log.warning("projection_gap", aggregate_id=str(aggregate_id), after=after, before=before)
        return await self._stored(aggregate_id, after, before)

    async def _stored(self, aggregate_id: UUID, after: int, before: int) -> list[dict[str, Any]]:
        """An aggregate's public events strictly between two versions, from the event store, as
        the read models can hold them (no NUL)."""
        events = await asyncio.to_thread(
            self.event_log.aggregate_events, aggregate_id, after, before
        )
        return [without_nul(e) for e in events]

    async def _connection(self) -> AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = await AsyncConnection.connect(self.dsn)
        elif self._conn.info.transaction_status == TransactionStatus.INERROR:
            # A failed statement outside `transaction()` leaves this: start clean, or every
            # later batch would fail and be parked.
            await self._conn.rollback()
        return self._conn

    async def close(self) -> None:
        await self._reset()

    async def _reset(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        self._conn = None


PROCESS_TICK_SECONDS = 1.0


def worker_app(app_id: str, bootstrap: str, partitions: int, data_dir: Path) -> faust.App:
    """A Faust app with the worker's consumer settings (the bench's ceiling run uses it too)."""
    return PromptApp(
        app_id,
        # Faust keeps nothing we read (no tables), but creates its folder anyway: not in the cwd.
        datadir=str(data_dir / "faust"),
        broker=f"kafka://{bootstrap}",
        store="memory://",
        value_serializer="raw",
        web_enabled=False,
        topic_partitions=partitions,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        stream_buffer_maxsize=BATCH_SIZE * 2,
        # The group join waits up to the rebalance timeout for members that left; short timeouts
        # let a restarted worker resume in seconds rather than a minute.
        broker_session_timeout=6.0,
        broker_heartbeat_interval=1.0,
        broker_rebalance_timeout=6.0,
    )


async def apply_in_batches(stream: Any, apply: Callable[[list[Any]], Awaitable[None]]) -> None:
    """Hand `apply` the stream's events in order, up to BATCH_SIZE at a time, and ack a batch's
    events (so Faust may commit their offsets) only once `apply` has returned for it.

    Faust's `take_events` stops reading while the agent works on a batch, so reading and applying
    take turns. Here a reader task goes on reading, up to one batch ahead, while the previous
    batch is applied. A batch is what was read until it is full or BATCH_WINDOW after its first
    event, whichever comes first: under load, it is full when the previous one is done.
    """
    loop = asyncio.get_running_loop()
    manual = stream.noack()
    pending: list[Any] = []
    opened = 0.0  # when the first event of the batch being read arrived
    readable = asyncio.Event()  # something is pending
    full = asyncio.Event()  # a whole batch is pending; the reader waits for room
    room = asyncio.Event()
    room.set()

    async def read() -> None:
        nonlocal opened
        async for event in manual.events():
            if not pending:
                opened = loop.time()
            pending.append(event)
            readable.set()
            if len(pending) >= BATCH_SIZE:
                full.set()
                room.clear()
                await room.wait()

    reader = asyncio.create_task(read())
    try:
        while True:
            if not pending:
                await until_first(reader, readable.wait())
                if not pending:  # the stream ended: re-raise the reader's error, if any
                    reader.result()
                    return
            linger = opened + BATCH_WINDOW - loop.time()
            if not full.is_set() and linger > 0:
                await until_first(reader, full.wait(), timeout=linger)
            batch = pending[:BATCH_SIZE]
            del pending[:BATCH_SIZE]
            opened = loop.time()
            if not pending:
                readable.clear()
            if len(pending) < BATCH_SIZE:
                full.clear()
                room.set()
            await apply(batch)
            for event in batch:
                await manual.ack(event)
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


AGENT_FAILED = 70  # the worker's exit code when an agent failed for good


async def exit_on_failure(agent: str, work: Awaitable[None]) -> None:
    """Run an agent's loop; if it fails for good, end the worker process for its supervisor to
    restart. Faust would restart the agent alone, and the new one reads on after the messages
    the failed one had taken but not acknowledged: they would be missing from the read models
    until the next restart. A new process resumes from the last committed offsets instead."""
    try:
        await work
    except Exception as error:  # noqa: BLE001 - logged, then the process ends
        log.error(
            "agent_failed_worker_exits",
            agent=agent,
            error=type(error).__name__,
            detail=str(error)[:500],
        )
        sys.stderr.flush()
        os._exit(AGENT_FAILED)


def create_faust_app(
    bootstrap: str,
    partitions: int,
    projector: Projector,
    ingest: CatalogIngest,
    process_manager: ProcessManager,
    data_dir: Path,
) -> faust.App:
    """The worker's Faust app: the projections' agent on every public topic, the catalog
    ingest agent on the edge results, and the scan process manager on the scans topic with its
    timer; concurrency 1 each, so each keeps its partitions' order."""
    app = worker_app("datawave-projections", bootstrap, partitions, data_dir)
    topic = app.topic(*PUBLIC_TOPICS, value_serializer="raw", partitions=partitions)

    async def apply(events: list[Any]) -> None:
        await projector.apply([(e.message.topic, e.message.partition, e.value) for e in events])

    @app.agent(topic, concurrency=1)
    async def project(stream: Any) -> None:
        await exit_on_failure("project", apply_in_batches(stream, apply))

    scans = app.topic(SCANS_TOPIC, value_serializer="raw", partitions=partitions)

    @app.agent(scans, concurrency=1)
    async def advance_workflows(stream: Any) -> None:
        async for message in stream:
            await process_manager.on_event(orjson.loads(message))

    @app.timer(PROCESS_TICK_SECONDS, on_leader=True)  # type: ignore[untyped-decorator]
    async def look_after_workflows() -> None:
        await process_manager.tick()

    results = app.topic(EDGE_RESULTS_TOPIC, value_serializer="raw", partitions=partitions)

    @app.agent(results, concurrency=1)
    async def ingest_results(stream: Any) -> None:
        async for message in stream:
            await ingest.handle(orjson.loads(message))

    return app


def redis_cache(redis_url: str, prefix: str) -> RedisSourceCache:
    """The Redis cache the projection writes and the query API reads."""
    return RedisSourceCache(Redis.from_url(redis_url), prefix)
