"""projection: Kafka -> PostgreSQL read model throughput of the worker, in events per second.

Per run (fresh database and broker): fill the event store with registrations from many threads,
start the relay and wait until it has published everything, then start the worker and time from
the first applied batch (so the consumer-group join is excluded) until every projection is caught
up. The events counted are the public ones, i.e. the messages that went through Kafka.

Two references follow on the same topics: the worker's Faust agent doing nothing (what Faust alone
costs), and the worker's own apply fed by a bare aiokafka consumer after the read models are
emptied (what the projection costs without Faust); the read model is checked complete again.
Last, `datawave projections rebuild --all` from the event store (no Kafka), checked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
import psycopg
import uvloop

from bench.common import (
    SEALING_KEY,
    BenchSystem,
    Result,
    Row,
    cpu_seconds,
    delete_prefix,
    environment,
    load_average,
    median,
    progress,
    timed_in_threads,
)
from bench.consumer_ceiling import RESULT_FILE, bare_consumer
from commands.data_sources import DataSources
from commands.messages import RegisterDataSource
from domain.meta import EventMeta
from infra.event_log import EventLog
from infra.lag import lags
from infra.postgres import EVENTS_TABLE, create_schema
from infra.read_models import PROJECTIONS
from infra.secret_box import AesGcmSecretBox
from infra.settings import Settings
from infra.stores import open_event_store
from streams.projector import BATCH_SIZE, Projector, redis_cache
from tests.support import Servers

NAME = "projection"
TITLE = "projection throughput, Kafka -> PostgreSQL read model"
TARGET = 25_000
POLL = 0.05
FILL_THREADS = 16
META: EventMeta = {"actor": "bench", "correlation_id": "bench", "causation_id": "bench"}
T = TypeVar("T")


@dataclass(frozen=True)
class Timed:
    """Events handled in a timed window, and the CPU seconds the process used meanwhile."""

    events: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    @property
    def cores(self) -> float:
        return self.cpu_seconds / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Ceiling(Timed):
    """The worker's consumer alone (a no-op Faust agent), and a bare aiokafka consumer's rate."""

    raw_rate: float


@dataclass(frozen=True)
class RunFigures:
    commands: int
    fill_seconds: float
    relay_rate: float
    worker_join_seconds: float
    applied_in_window: int
    window_seconds: float
    worker_cpu_seconds: float
    ceiling: Ceiling
    bare: Timed  # the worker's own apply (Projector.apply) fed by a bare aiokafka consumer
    rebuilt: Timed  # `datawave projections rebuild --all` from the event store

    @property
    def rate(self) -> float:
        return self.applied_in_window / self.window_seconds if self.window_seconds > 0 else 0.0


def fill(app: DataSources, commands: int, threads: int = FILL_THREADS) -> float:
    """Register `commands` sources from `threads` threads; the seconds it took."""
    run = uuid.uuid4().hex[:8]

    def register(n: int) -> None:
        app.register(
            RegisterDataSource(
                name=f"bench-{run}-{n}",
                kind="postgresql",
                connection={"dsn": f"postgresql://reader:pw{n}@db{n % 7}:5432/x"},
                owner="data-platform-team",
                tags=["bench", f"t{n % 10}"],
            ),
            META,
        )

    return timed_in_threads(range(1, commands + 1), threads, register)


async def _scalar(conn: psycopg.AsyncConnection[Any], sql: str) -> int:
    cur = await conn.execute(sql)
    row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def _wait_relay(dsn: str, public: int, timeout: float) -> float:
    """Wait until the relay has published everything; its publishing rate in public events/s."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        head = await _scalar(conn, f"SELECT MAX(notification_id) FROM {EVENTS_TABLE}")
        deadline = time.monotonic() + timeout
        first: float | None = None
        first_position = 0
        while time.monotonic() < deadline:
            position = await _scalar(conn, "SELECT MAX(position) FROM relay_position")
            now = time.perf_counter()
            if position > 0 and first is None:
                first, first_position = now, position
            if position >= head and first is not None:
                published = public * (head - first_position) / head
                return published / (now - first) if now > first else float("nan")
            await asyncio.sleep(POLL)
    raise TimeoutError(f"the relay did not publish {head} positions within {timeout:.0f} s")


async def _time_worker(
    dsn: str, public: int, started: float, pid: int, timeout: float
) -> tuple[float, int, float, float]:
    """(join seconds, events applied after the first batch was seen, seconds to all applied,
    CPU seconds the worker used meanwhile)."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        deadline = time.monotonic() + timeout
        first: float | None = None
        applied_at_first = 0
        cpu_at_first = 0.0
        while time.monotonic() < deadline:
            if first is None:
                if await _scalar(conn, "SELECT count(*) FROM projection_positions") > 0:
                    first = time.perf_counter()
                    cpu_at_first = cpu_seconds(pid)
                    applied_at_first = await _scalar(conn, "SELECT count(*) FROM rm_audit_events")
            else:
                current = await lags(conn)
                if all(v == 0 for v in current.values()):
                    done = time.perf_counter()
                    cpu = cpu_seconds(pid) - cpu_at_first
                    return first - started, public - applied_at_first, done - first, cpu
            await asyncio.sleep(POLL)
    raise TimeoutError(f"the worker did not apply {public} events within {timeout:.0f} s")


def _check(system: BenchSystem, commands: int) -> None:
    with psycopg.connect(system.dsn) as conn:
        # The worker adds its own events at start (the built-in policy packs): count the sources'.
        audit = conn.execute(
            "SELECT count(*) FROM rm_audit_events WHERE aggregate_type = 'DataSource'"
        ).fetchone()
        sources = conn.execute("SELECT count(*) FROM rm_data_sources").fetchone()
    assert audit is not None and sources is not None
    if audit[0] != commands or sources[0] != commands:
        raise AssertionError(
            f"expected {commands} rows, got audit {audit[0]}, sources {sources[0]}"
        )


def one_run(srv: Servers, commands: int, label: str) -> RunFigures:
    with environment(NAME, srv) as system:
        create_schema(system.dsn)
        app = open_event_store(system.dsn, AesGcmSecretBox(SEALING_KEY))
        try:
            progress(NAME, f"{label}: filling the event store with {commands} registrations")
            fill_seconds = fill(app, commands)
        finally:
            app.close()
        progress(
            NAME,
            f"{label}: filled in {fill_seconds:.1f} s ({commands / fill_seconds:.0f} commands/s); "
            "starting the relay",
        )
        system.start("relay")
        relay_rate = asyncio.run(_wait_relay(system.dsn, commands, timeout=900))
        progress(
            NAME,
            f"{label}: relay published everything ({relay_rate:.0f} events/s); "
            f"starting the worker (load {load_average()})",
        )
        started = time.perf_counter()
        system.start("worker")
        process = system.components["worker"].process
        assert process is not None
        join, applied, seconds, cpu = asyncio.run(
            _time_worker(system.dsn, commands, started, process.pid, timeout=1800)
        )
        _check(system, commands)
        system.components["worker"].stop()
        ceiling = consumer_ceiling(system, commands)
        bare = bare_apply(system, commands)
        _check(system, commands)
        rebuilt = rebuild(system)
        _check(system, commands)
        figures = RunFigures(
            commands, fill_seconds, relay_rate, join, applied, seconds, cpu, ceiling, bare, rebuilt
        )
        progress(
            NAME,
            f"{label}: worker joined in {join:.1f} s, then applied {applied} events in "
            f"{seconds:.2f} s = {figures.rate:.0f} events/s, using {cpu / seconds:.2f} CPU cores; "
            f"its consumer alone, doing nothing: {ceiling.rate:.0f} events/s "
            f"({ceiling.cores:.2f} cores); "
            f"bare aiokafka {ceiling.raw_rate:.0f} messages/s; the worker's apply fed by bare "
            f"aiokafka {bare.rate:.0f} events/s ({bare.cores:.2f} cores); a rebuild from the "
            f"event store {rebuilt.rate:.0f} events/s ({rebuilt.cores:.2f} cores)",
        )
        return figures


def consumer_ceiling(system: BenchSystem, count: int) -> Ceiling:
    """Read the topics the run filled with the worker's Faust agent doing nothing (and with a
    bare consumer): the most the worker could do on this machine before any PostgreSQL work."""
    data_dir = system.data_dir / "ceiling"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.consumer_ceiling",
            system.bootstrap,
            str(Settings().topic_partitions),
            str(count),
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    result = data_dir / RESULT_FILE
    if done.returncode != 0 or not result.exists():
        raise RuntimeError(f"the consumer ceiling run failed: {done.stderr[-2000:]}")
    return Ceiling(**orjson.loads(result.read_bytes()))


def with_projector(system: BenchSystem, work: Callable[[Projector], Awaitable[T]]) -> T:
    """`work` done with the worker's Projector on the run's servers, on uvloop as the worker."""
    store = open_event_store(system.dsn, AesGcmSecretBox(SEALING_KEY))
    projector = Projector(
        system.dsn, redis_cache(system.redis_url, system.redis_prefix), EventLog(store, system.dsn)
    )

    async def run() -> T:
        try:
            return await work(projector)
        finally:
            await projector.close()

    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(run())
    finally:
        store.close()


def bare_apply(system: BenchSystem, commands: int) -> Timed:
    """Empty the read models (rows, positions, Redis keys) and build them again from the same
    topics with the worker's Projector, fed by a bare aiokafka consumer; timed as the worker is
    (first batch applied -> no projection lag), with this process's CPU."""
    with psycopg.connect(system.dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE rm_data_sources, rm_audit_events, projection_positions")
    delete_prefix(system.redis_url, system.redis_prefix)
    return with_projector(system, lambda projector: _bare_apply(system, projector, commands))


def rebuild(system: BenchSystem) -> Timed:
    """`datawave projections rebuild --all` on the run's event store (its own code path: the
    notification log read in batches, one transaction), timed with this process's CPU."""

    async def timed(projector: Projector) -> Timed:
        began, cpu = time.perf_counter(), time.process_time()
        rebuilt = await projector.rebuild(list(PROJECTIONS), lambda *_: None)
        return Timed(rebuilt.events, time.perf_counter() - began, time.process_time() - cpu)

    return with_projector(system, timed)


async def _bare_apply(system: BenchSystem, projector: Projector, commands: int) -> Timed:
    consumer = bare_consumer(system.bootstrap)
    await consumer.start()

    async def consume() -> None:
        while True:
            fetched = await consumer.getmany(timeout_ms=500, max_records=BATCH_SIZE)
            items = [(r.topic, r.partition, r.value) for rs in fetched.values() for r in rs]
            if items:
                await projector.apply(items)

    task = asyncio.create_task(consume())
    try:
        started = time.perf_counter()
        _, applied, seconds, cpu = await _time_worker(
            system.dsn, commands, started, os.getpid(), timeout=900
        )
        return Timed(applied, seconds, cpu)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await consumer.stop()


def _timed_row(metric: str, runs: list[Timed]) -> Row:
    """The median rate (each run's in parentheses) and the median cores used."""
    return Row(
        metric,
        f"{median([t.rate for t in runs]):,.0f} events/s "
        f"({', '.join(f'{t.rate:.0f}' for t in runs)}), using "
        f"{median([t.cores for t in runs]):.2f} cores",
    )


def run(srv: Servers, quick: bool) -> Result:
    commands = 10_000 if quick else 60_000
    repeats = 1 if quick else 3
    result = Result(NAME, TITLE)
    result.notes.append(f"load average before: {load_average()}")
    runs = [one_run(srv, commands, f"run {i}/{repeats}") for i in range(1, repeats + 1)]
    rate = median([r.rate for r in runs])
    result.rows += [
        Row(
            "worker events/s (first batch applied -> all applied)",
            f"{rate:,.0f} ({', '.join(f'{r.rate:.0f}' for r in runs)})",
            f">= {TARGET:,}/s",
            rate >= TARGET,
        ),
        Row(
            "worker start to first batch applied (excluded)",
            f"{median([r.worker_join_seconds for r in runs]):.1f} s",
        ),
        Row(
            "worker process CPU during the window (cores)",
            f"{median([r.worker_cpu_seconds / r.window_seconds for r in runs]):.2f}",
        ),
        _timed_row(
            "the worker's consumer alone: its Faust agent doing nothing",
            [r.ceiling for r in runs],
        ),
        _timed_row(
            "the worker's apply (Projector.apply) fed by a bare aiokafka consumer, no Faust",
            [r.bare for r in runs],
        ),
        _timed_row(
            "a rebuild of every projection from the event store (one transaction, no Kafka)",
            [r.rebuilt for r in runs],
        ),
        Row(
            "a bare aiokafka consumer on the same topics (for reference)",
            f"{median([r.ceiling.raw_rate for r in runs]):,.0f} messages/s",
        ),
        Row(
            "relay publish rate (for reference)",
            f"{median([r.relay_rate for r in runs]):,.0f} events/s",
        ),
        Row(
            "fill: group-commit appends, 16 threads (for reference)",
            f"{median([r.commands / r.fill_seconds for r in runs]):,.0f} commands/s",
        ),
    ]
    result.notes.append(
        f"{commands:,} registrations per run = {commands:,} public events (the DataSource events "
        f"that go through Kafka) + {commands:,} internal name-claim events the relay skips; "
        f"median of {repeats} run(s), each with a fresh database and broker; individual runs in "
        "parentheses; the read model was checked complete after each run"
    )
    return result
