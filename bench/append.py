"""append: command append throughput against raw PostgreSQL single-row commits (same server, run).

Three writers' paths, each driven by N threads for a fixed time, repeated and interleaved:

* raw: each thread has its own psycopg connection and does INSERT of one ~300-byte jsonb row,
  then COMMIT;
* group: `open_event_store(dsn, box)` (group commit, the default) calling `register` with unique
  names; each command appends two events (the source and its name claim) in one transaction;
* naive: the same application with `group_commit=False`, for reference;
* no database: the group-commit application with its database calls replaced by a counter that
  hands out ids. Not a product path: it shows how many commands/s the process's own work (domain
  objects, event mapping, sealing, group-commit hand-overs) allows before any I/O.
* two processes (16 writers only): group commit with the writers split over two processes of 8
  threads, each with its own application, as two API processes would run them. The one-process
  paths are bound by the interpreter lock (one core) while the machine has CPU to spare; this
  shows what a second process buys on the same cores.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg.types.json import Jsonb

from bench.common import (
    SEALING_KEY,
    Result,
    Row,
    environment,
    load_average,
    median,
    progress,
)
from commands.data_sources import DataSources
from commands.messages import RegisterDataSource
from domain.meta import EventMeta
from infra.group_commit import GroupCommitRecorder
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store
from tests.support import Servers

NAME = "append"
TITLE = "command append throughput vs raw PostgreSQL single-row commits"
WRITERS = (1, 16)
REPEATS = 3
CONFIGS = ("raw", "group", "naive", "no_database", "two_processes")
PROCESSES = 2
EVENTS_PER_COMMAND = 2
TARGET_RATIO = 1.0
META: EventMeta = {"actor": "bench", "correlation_id": "bench", "causation_id": "bench"}
PAYLOAD = {
    "name": "bench-source",
    "kind": "postgresql",
    "connection": {"dsn": "postgresql://user@db.example.internal:5432/warehouse"},
    "owner": "data-platform-team",
    "tags": ["bench", "raw", "baseline", "single-row"],
    "padding": "p" * 120,
}

Step = Callable[[], None]


class NoDatabase:
    """Stands in for the event store's recorder: notification ids from a counter, no I/O."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def insert_events(self, stored_events: Sequence[StoredEvent], **_: Any) -> list[int]:
        with self._lock:
            return [next(self._ids) for _ in stored_events]


def without_database(app: DataSources) -> DataSources:
    """`app` appending to NoDatabase through the same group-commit wrapper."""
    app.events.recorder = GroupCommitRecorder(NoDatabase())  # type: ignore[arg-type,assignment]
    return app


@dataclass(frozen=True)
class Sample:
    operations: int
    seconds: float
    errors: int

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds > 0 else 0.0


def drive(writers: int, duration: float, open_step: Callable[[int], tuple[Step, Step]]) -> Sample:
    """Run `writers` threads calling their step for `duration` seconds after a common start.

    `open_step(i)` returns (step, close) for thread i; one untimed step warms each thread up.
    """
    counts = [0] * writers
    errors = [0] * writers
    ends = [0.0] * writers
    window = [0.0, 0.0]

    def start() -> None:
        window[0] = time.perf_counter()
        window[1] = window[0] + duration

    barrier = threading.Barrier(writers, action=start)

    def work(index: int) -> None:
        step, close = open_step(index)
        try:
            step()
            barrier.wait()
            done = 0
            while time.perf_counter() < window[1]:
                try:
                    step()
                    done += 1
                except Exception:  # noqa: BLE001 - counted and reported
                    errors[index] += 1
            counts[index] = done
            ends[index] = time.perf_counter()
        finally:
            close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Sample(sum(counts), max(ends) - window[0], sum(errors))


def raw_steps(dsn: str) -> Callable[[int], tuple[Step, Step]]:
    def open_step(_: int) -> tuple[Step, Step]:
        conn = psycopg.connect(dsn)
        payload = Jsonb(PAYLOAD)

        def step() -> None:
            conn.execute("INSERT INTO bench_raw (payload) VALUES (%s)", (payload,))
            conn.commit()

        return step, conn.close

    return open_step


def register_steps(app: DataSources, label: str) -> Callable[[int], tuple[Step, Step]]:
    def open_step(index: int) -> tuple[Step, Step]:
        run = uuid.uuid4().hex[:8]
        counter = iter(range(10**12))

        def step() -> None:
            n = next(counter)
            app.register(
                RegisterDataSource(
                    name=f"bench-{label}-{run}-{index}-{n}",
                    kind="postgresql",
                    connection={"dsn": f"postgresql://reader:pw{n}@db{index}:5432/warehouse"},
                    owner="data-platform-team",
                    tags=["bench"],
                ),
                META,
            )

        return step, lambda: None

    return open_step


def _writer_process(
    dsn: str, writers: int, duration: float, ready: Any, results: Any
) -> None:  # pragma: no cover - runs in a spawned process
    app = open_event_store(dsn, AesGcmSecretBox(SEALING_KEY))
    try:
        steps = register_steps(app, f"proc{multiprocessing.current_process().pid}")
        ready.wait()
        sample = drive(writers, duration, steps)
        results.put((sample.operations, sample.seconds, sample.errors))
    finally:
        app.close()


def in_processes(dsn: str, writers: int, duration: float) -> Sample:
    """`writers` group-commit writers spread evenly over PROCESSES processes, started together."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(
            target=_writer_process, args=(dsn, writers // PROCESSES, duration, ready, results)
        )
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    parts = [results.get(timeout=duration + 120) for _ in processes]
    for process in processes:
        process.join()
    return Sample(sum(p[0] for p in parts), max(p[1] for p in parts), sum(p[2] for p in parts))


def run(srv: Servers, quick: bool) -> Result:
    duration = 3.0 if quick else 10.0
    result = Result(NAME, TITLE)
    result.notes.append(f"load average before: {load_average()}")
    with environment(NAME, srv) as system:
        dsn = system.dsn
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, payload jsonb NOT NULL)"
            )
        box = AesGcmSecretBox(SEALING_KEY)
        apps = {
            "group": open_event_store(dsn, box),
            "naive": open_event_store(dsn, box, group_commit=False),
            "no_database": without_database(open_event_store(dsn, box)),
        }
        try:
            samples: dict[tuple[str, int], list[Sample]] = {}
            for repeat in range(1, REPEATS + 1):
                for writers in WRITERS:
                    for config in CONFIGS:
                        if config == "two_processes":
                            if writers < PROCESSES:
                                continue
                            sample = in_processes(dsn, writers, duration)
                        else:
                            steps = (
                                raw_steps(dsn)
                                if config == "raw"
                                else register_steps(apps[config], config)
                            )
                            sample = drive(writers, duration, steps)
                        samples.setdefault((config, writers), []).append(sample)
                        unit = "commits" if config == "raw" else "commands"
                        progress(
                            NAME,
                            f"run {repeat}/{REPEATS} {config:5} x{writers:<2} "
                            f"{sample.rate:8.0f} {unit}/s ({sample.operations} in "
                            f"{sample.seconds:.1f} s, {sample.errors} errors)",
                        )
        finally:
            for app in apps.values():
                app.close()
    report(result, samples, duration)
    return result


# config -> (label of its rate, label of its ratio); raw is the baseline.
LABELS = {
    "group": ("group commit", "group commit"),
    "naive": ("naive (group_commit=False)", "naive"),
    "no_database": ("no database (the process's own work alone)", "no database"),
    "two_processes": (
        f"group commit, writers in {PROCESSES} processes",
        f"group commit in {PROCESSES} processes",
    ),
}


def report(result: Result, samples: dict[tuple[str, int], list[Sample]], duration: float) -> None:
    rates = {key: median([s.rate for s in runs]) for key, runs in samples.items()}

    def runs_of(key: tuple[str, int]) -> str:
        return ", ".join(f"{s.rate:.0f}" for s in samples[key])

    for writers in WRITERS:
        raw = rates[("raw", writers)]
        result.rows.append(
            Row(
                f"raw PostgreSQL commits/s, {writers} writer(s)",
                f"{raw:,.0f} ({runs_of(('raw', writers))})",
            )
        )
        measured = [c for c in LABELS if (c, writers) in rates]
        for config in measured:
            label = LABELS[config][0]
            rate = rates[(config, writers)]
            result.rows.append(
                Row(
                    f"{label} commands/s, {writers} writer(s)",
                    f"{rate:,.0f} = {rate * EVENTS_PER_COMMAND:,.0f} events/s "
                    f"({runs_of((config, writers))})",
                )
            )
        for config in measured:
            label = LABELS[config][1]
            ratio = rates[(config, writers)] / raw if raw else 0.0
            targeted = config == "group" and writers == max(WRITERS)
            result.rows.append(
                Row(
                    f"ratio {label} / raw, {writers} writer(s)",
                    f"{ratio:.2f}x",
                    f">= {TARGET_RATIO:.1f}x" if targeted else "",
                    ratio >= TARGET_RATIO if targeted else None,
                )
            )
    errors = sum(s.errors for runs in samples.values() for s in runs)
    result.notes.append(
        f"median of {REPEATS} interleaved runs of {duration:g} s each (individual runs in "
        f"parentheses); a command is one transaction appending {EVENTS_PER_COMMAND} events; "
        f"errors: {errors}"
    )
