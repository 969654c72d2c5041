"""discovery: discovery + profiling of a generated PostgreSQL schema, at two sizes.

Per size (fresh event store, broker and edge agent each time): generate a source database of N
tables of 20 columns of mixed types and 1,000 rows each (set-based SQL, then ANALYZE); start the
API, relay, worker and edge agent; run a one-table warm-up discovery so every consumer has joined
its group; then POST a discovery of the generated source and time it until the data source shows
it completed, and until the catalog has settled (every projection caught up and all N assets
listed by the API). The edge agent's peak resident memory (VmHWM) is read from its own /proc
entry; a flat schema walk keeps it the same at both sizes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from api.auth import issue_token
from bench.common import (
    JWT_SECRET,
    BenchSystem,
    Result,
    Row,
    cpu_seconds,
    current_lags,
    environment,
    load_average,
    progress,
    timed_in_threads,
)
from edge.connectors.base import DEFAULT_SAMPLE_ROWS
from edge.discovery import BATCH_TABLES
from tests.support import Servers, drop_database, fresh_database, wait_http

NAME = "discovery"
TITLE = "discovery + profiling of a generated PostgreSQL schema"
COLUMNS = 20
ROWS = 1000
TARGET_SECONDS = 60.0
TARGET_MEMORY_RATIO = 1.5
FULL_SIZES = (200, 2000)
QUICK_SIZES = (20, 200)
TARGET_TABLES = FULL_SIZES[-1]
SOURCES = "/api/v1/data-sources"
ASSETS = "/api/v1/assets"
PAGE = 500
STATUS_POLL = 0.1
LAG_POLL = 0.2
GENERATORS = 2  # connections generating tables at once: one per core of the target machine
TABLES_PER_STATEMENT = 50
PROCESSES = ("edge", "worker", "relay", "api")

# One table: 20 columns of mixed types (integers, names, e-mails, numerics, dates, booleans,
# uuids), some of them partly NULL. `%1$s` is the table's name (format() in PL/pgSQL).
_CREATE = """
CREATE TABLE %1$s (
    id bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text,
    phone text,
    city varchar(40),
    country_code char(2),
    amount numeric(12,2),
    quantity smallint,
    score double precision,
    discount real,
    created_on date NOT NULL,
    birth_date date,
    updated_at timestamptz,
    is_active boolean NOT NULL,
    status varchar(20),
    external_ref uuid,
    postal_code text,
    notes text
)"""
_FILL = """
INSERT INTO %1$s
SELECT g,
       (random() * 100000)::int,
       (ARRAY['Ann','Bob','Carla','Dmitri','Eve','Farid','Grace','Hiro','Ines','Jon'])
           [1 + mod(g, 10)],
       (ARRAY['Smith','Garcia','Nguyen','Müller','Rossi','Kowalski','Tanaka','Silva'])
           [1 + mod(g, 8)],
       CASE WHEN mod(g, 20) = 0 THEN NULL ELSE 'user' || g || '.' || %2$s || '@example.com' END,
       CASE WHEN mod(g, 4) = 0 THEN NULL
            ELSE '+1-555-' || lpad((random() * 9999999)::int::text, 7, '0') END,
       (ARRAY['Lisbon','Oslo','Lyon','Austin','Osaka','Turin'])[1 + mod(g, 6)],
       (ARRAY['PT','NO','FR','US','JP','IT'])[1 + mod(g, 6)],
       round((random() * 10000)::numeric, 2),
       (random() * 500)::int,
       random() * 100,
       CASE WHEN mod(g, 2) = 0 THEN NULL ELSE (random() * 0.5)::real END,
       DATE '2020-01-01' + mod(g, 1500),
       CASE WHEN mod(g, 10) = 0 THEN NULL
            ELSE DATE '1950-01-01' + (random() * 20000)::int END,
       now() - random() * interval '400 days',
       mod(g, 3) <> 0,
       (ARRAY['new','active','suspended','closed'])[1 + mod(g, 4)],
       md5(%2$s || ':' || g)::uuid,
       lpad(mod(g * 37, 99999)::text, 5, '0'),
       CASE WHEN mod(g, 3) = 0 THEN NULL ELSE 'note ' || md5(g::text) END
FROM generate_series(1, %3$s) AS g"""


def _generate_sql(first: int, last: int, seed: float) -> str:
    """One statement creating, then filling, tables `first`..`last` (names from table_name)."""
    return f"""
DO $$
BEGIN
  PERFORM setseed({seed});
  FOR i IN {first}..{last} LOOP
    EXECUTE format($q${_CREATE}$q$, 't' || lpad(i::text, 5, '0'));
    EXECUTE format($q${_FILL}$q$, 't' || lpad(i::text, 5, '0'), i, {ROWS});
  END LOOP;
END $$"""


def table_name(index: int) -> str:
    return f"t{index:05d}"


def generate(dsn: str, tables: int) -> float:
    """Create and fill `tables` tables in `GENERATORS` connections at once, ANALYZE them; the
    seconds it took. Statements of `TABLES_PER_STATEMENT` tables keep the locks one transaction
    holds well under the server's lock table."""
    chunks = [
        (first, min(first + TABLES_PER_STATEMENT - 1, tables))
        for first in range(1, tables + 1, TABLES_PER_STATEMENT)
    ]

    def create(chunk: tuple[int, int]) -> None:
        first, last = chunk
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(_generate_sql(first, last, first / (tables + 1)))
            conn.execute(f"ANALYZE {', '.join(table_name(i) for i in range(first, last + 1))}")

    seconds = timed_in_threads(chunks, GENERATORS, create)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*), sum(reltuples) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchone()
    if row is None or row[0] != tables or row[1] != tables * ROWS:
        raise AssertionError(f"generated {row}, expected {tables} tables of {ROWS} rows")
    return seconds


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of a process, in KiB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0])
    return figures


def edge_pid(system: BenchSystem) -> int:
    """The edge agent's own pid, checked against its command line."""
    process = system.components["edge"].process
    assert process is not None
    argv = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
    if b"edge.agent" not in argv:
        raise AssertionError(f"pid {process.pid} is not the edge agent: {argv!r}")
    return process.pid


def wait_for(
    what: str, check: Callable[[], bool], timeout: float, poll: float, alive: Callable[[], None]
) -> float:
    """Poll `check` until it holds; the perf_counter at which it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.perf_counter()
        alive()
        time.sleep(poll)
    raise TimeoutError(f"{what} not within {timeout:.0f} s")


def discovered(client: httpx.Client, source_id: str, workflow_id: str) -> dict[str, Any] | None:
    """The source's last discovery if it is this workflow's and has ended."""
    got = client.get(f"{SOURCES}/{source_id}")
    last = got.json().get("last_discovery") if got.status_code == 200 else None
    ended = ("completed", "failed", "cancelled")
    if last and last["workflow_id"] == workflow_id and last["status"] in ended:
        return dict(last)
    return None


def list_assets(client: httpx.Client, source_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"data_source_id": source_id, "limit": PAGE}
        if cursor:
            params["cursor"] = cursor
        got = client.get(ASSETS, params=params)
        got.raise_for_status()
        page = got.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def logged(path: Path, workflow_id: str) -> list[dict[str, Any]]:
    """A component's JSON log events about one workflow (other lines skipped)."""
    events = []
    for line in path.read_text(errors="replace").splitlines():
        if workflow_id not in line or "{" not in line:
            continue
        try:
            event = json.loads(line[line.index("{") :])
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("workflow_id") == workflow_id:
            events.append(event)
    return events


def seconds_between(events: list[dict[str, Any]], first: str, last: str) -> float | None:
    """From the first `first` event to the last `last` one: a discovery is one edge job per
    stage (discover, profile, classify), each logging its own pair."""
    firsts = [datetime.fromisoformat(e["timestamp"]) for e in events if e["event"] == first]
    lasts = [datetime.fromisoformat(e["timestamp"]) for e in events if e["event"] == last]
    if not firsts or not lasts:
        return None
    return (lasts[-1] - firsts[0]).total_seconds()


def quarters(samples: list[int]) -> list[int]:
    """The samples at a quarter, half, three quarters and the end of the series."""
    if not samples:
        return []
    return [samples[max(0, round(len(samples) * q) - 1)] for q in (0.25, 0.5, 0.75, 1.0)]


@dataclass(frozen=True)
class SizeFigures:
    tables: int
    generate_seconds: float
    warmup_seconds: float
    completed_seconds: float
    settled_seconds: float
    listing_seconds: float
    edge_job_seconds: float | None  # the agent's own job, from its log
    rss_before_kib: int
    hwm_before_kib: int
    peak_kib: int
    rss_after_kib: int
    rss_during_kib: list[int]  # at a quarter, half, three quarters and the end of the job
    cpu: dict[str, float]
    batches: int

    @property
    def columns(self) -> int:
        return self.tables * COLUMNS


class DiscoveryClient:
    """One size's running system and the client that drives its discoveries."""

    def __init__(self, system: BenchSystem, client: httpx.Client, timeout: float) -> None:
        self.system = system
        self.client = client
        self.timeout = timeout
        self.edge_pid = edge_pid(system)
        self.rss_kib: list[int] = []  # the edge agent's VmRSS at each status poll

    def alive(self) -> None:
        for name, component in self.system.components.items():
            if component.process is not None and component.process.poll() is not None:
                raise RuntimeError(f"the {name} process exited ({component.process.returncode})")

    def register(self, name: str, dsn: str) -> str:
        body = {"name": name, "kind": "postgresql", "connection": {"dsn": dsn}}
        created = self.client.post(SOURCES, json=body)
        if created.status_code != 201:
            raise RuntimeError(f"registering {name}: {created.status_code} {created.text}")
        return str(created.json()["id"])

    def start(self, source_id: str) -> str:
        started = self.client.post(f"{SOURCES}/discover", json={"data_source_id": source_id})
        if started.status_code != 202:
            raise RuntimeError(f"discover: {started.status_code} {started.text}")
        return str(started.json()["workflow_id"])

    def completed(self, source_id: str, workflow_id: str) -> tuple[float, dict[str, Any]]:
        """When the source showed this workflow ended, and how it ended (failed or cancelled
        raises)."""
        outcome: list[dict[str, Any]] = []

        def check() -> bool:
            self.rss_kib.append(memory_kib(self.edge_pid)["VmRSS"])
            last = discovered(self.client, source_id, workflow_id)
            if last is not None:
                outcome.append(last)
            return last is not None

        at = wait_for(f"discovery {workflow_id}", check, self.timeout, STATUS_POLL, self.alive)
        if outcome[0]["status"] != "completed":
            ended, reason = outcome[0]["status"], outcome[0].get("reason")
            raise RuntimeError(f"discovery {workflow_id} {ended}: {reason}")
        return at, outcome[0]

    def settled(self, source_id: str, tables: int) -> tuple[float, float, list[dict[str, Any]]]:
        """When every projection had caught up with all `tables` assets listed; the listing's
        seconds, and the assets. A listing short of assets means waiting for lag 0 again."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            at = wait_for(
                "projections caught up",
                lambda: all(v == 0 for v in current_lags(self.system.dsn).values()),
                self.timeout,
                LAG_POLL,
                self.alive,
            )
            began = time.perf_counter()
            assets = list_assets(self.client, source_id)
            listing = time.perf_counter() - began
            if len(assets) >= tables:
                return at, listing, assets
            progress(NAME, f"caught up but {len(assets)} of {tables} assets listed; waiting")
            time.sleep(LAG_POLL)
        raise TimeoutError(f"{tables} assets not listed within {self.timeout:.0f} s")


def check_catalog(assets: list[dict[str, Any]], tables: int) -> None:
    """All tables cataloged once, each with its columns profiled."""
    names = {a["qualified_name"] for a in assets}
    expected = {f"public.{table_name(i)}" for i in range(1, tables + 1)}
    if names != expected or len(assets) != tables:
        raise AssertionError(
            f"{len(assets)} assets; missing {len(expected - names)}, extra {len(names - expected)}"
        )
    for asset in assets:
        columns = asset["columns"]
        if len(columns) != COLUMNS or any(c["profile"] is None for c in columns):
            raise AssertionError(f"{asset['qualified_name']}: columns not all profiled")


@dataclass(frozen=True)
class Ready:
    """A generated source registered with a running system that has done one warm-up scan."""

    system: BenchSystem
    run: DiscoveryClient
    source_id: str
    generate_seconds: float
    warmup_seconds: float  # system start -> warm-up scan completed


def discover(run: DiscoveryClient, source_id: str) -> None:
    """The warm-up scan this benchmark uses: a discovery (POST discover) until it completed."""
    run.completed(source_id, run.start(source_id))


@contextmanager
def ready_system(
    srv: Servers, name: str, tables: int, warm_up: Callable[[DiscoveryClient, str], object]
) -> Iterator[Ready]:
    """Generate a source of `tables` tables, start api, relay, worker and edge agent (fresh
    event store and broker), scan a one-table source with `warm_up` so every consumer has
    joined its group, register the generated source and wait until the projections caught up.
    Everything is removed afterwards; progress lines go out under `name`."""
    label = f"{tables:,} tables"
    with ExitStack() as stack:
        source_dsn = fresh_database(srv.postgres)
        stack.callback(drop_database, srv.postgres, source_dsn)
        warmup_dsn = fresh_database(srv.postgres)
        stack.callback(drop_database, srv.postgres, warmup_dsn)
        with psycopg.connect(warmup_dsn, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE warmup (id int PRIMARY KEY, label text); "
                "INSERT INTO warmup SELECT g, 'x' || g FROM generate_series(1, 100) g; ANALYZE"
            )
        progress(name, f"{label}: generating {tables * COLUMNS:,} columns, {ROWS:,} rows each")
        generate_seconds = generate(source_dsn, tables)
        progress(
            name,
            f"{label}: generated in {generate_seconds:.1f} s; starting api, relay, worker, edge",
        )
        system = stack.enter_context(environment(name, srv))
        began = time.perf_counter()
        system.start("api", "relay", "worker", "edge")
        wait_http(f"{system.api_url}/healthz")
        token = issue_token(JWT_SECRET, "bench", ["admin"], 3600)
        client = stack.enter_context(
            httpx.Client(
                base_url=system.api_url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=120.0,
            )
        )
        run = DiscoveryClient(system, client, timeout=max(180.0, tables * 1.0))
        warm_up(run, run.register("warmup", warmup_dsn))
        warmup_seconds = time.perf_counter() - began
        source = run.register(f"generated-{tables}", source_dsn)
        system.wait_caught_up()
        yield Ready(system, run, source, generate_seconds, warmup_seconds)


def one_size(srv: Servers, tables: int) -> SizeFigures:
    label = f"{tables:,} tables"
    with ready_system(srv, NAME, tables, discover) as ready:
        system, run, source = ready.system, ready.run, ready.source_id
        generate_seconds, warmup_seconds = ready.generate_seconds, ready.warmup_seconds
        pid = run.edge_pid
        processes = {name: system.components[name].process for name in PROCESSES}
        pids = {name: p.pid for name, p in processes.items() if p is not None}
        before = memory_kib(pid)
        progress(
            NAME,
            f"{label}: system ready and warmed up in {warmup_seconds:.1f} s; edge agent pid "
            f"{pid} RSS {_mib(before['VmRSS'])}; discovering (load {load_average()})",
        )
        cpu_before = {name: cpu_seconds(p) for name, p in pids.items()}
        run.rss_kib.clear()
        sent = time.perf_counter()
        workflow = run.start(source)
        completed_at, outcome = run.completed(source, workflow)
        peak = memory_kib(pid)
        progress(
            NAME,
            f"{label}: completed in {completed_at - sent:.1f} s; edge peak "
            f"{_mib(peak['VmHWM'])}; waiting for the catalog to settle",
        )
        settled_at, listing, assets = run.settled(source, tables)
        cpu = {name: cpu_seconds(p) - cpu_before[name] for name, p in pids.items()}
        after = memory_kib(pid)
        summary = outcome["summary"]
        if summary["tables"] != tables or summary["skipped"]:
            raise AssertionError(f"unexpected discovery summary: {summary}")
        check_catalog(assets, tables)
        # Stopped here rather than on the way out, so the logs are flushed before they are read.
        system.stop()
        edge_events = logged(system.data_dir / "edge.log", workflow)
        batches = [
            e
            for e in logged(system.data_dir / "worker.log", workflow)
            if e.get("event") == "catalog_batch_ingested"
        ]
        figures = SizeFigures(
            tables=tables,
            generate_seconds=generate_seconds,
            warmup_seconds=warmup_seconds,
            completed_seconds=completed_at - sent,
            settled_seconds=settled_at - sent,
            listing_seconds=listing,
            edge_job_seconds=seconds_between(edge_events, "edge_job_started", "edge_job_finished"),
            rss_before_kib=before["VmRSS"],
            hwm_before_kib=before["VmHWM"],
            peak_kib=after["VmHWM"],
            rss_after_kib=after["VmRSS"],
            rss_during_kib=quarters(run.rss_kib),
            cpu=cpu,
            batches=len(batches),
        )
        progress(
            NAME,
            f"{label}: settled in {figures.settled_seconds:.1f} s "
            f"({tables / figures.completed_seconds:.1f} tables/s to completed); edge peak "
            f"{_mib(figures.peak_kib)}; CPU s {cpu_text(cpu)}",
        )
        return figures


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def cpu_text(cpu: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())


def rows_of(f: SizeFigures) -> list[Row]:
    at = f"{f.tables:,} tables"
    return [
        Row(f"{at}: POST discover -> status completed", f"{f.completed_seconds:.1f} s"),
        Row(
            f"{at}: POST discover -> catalog settled (lag 0, all assets listed)",
            f"{f.settled_seconds:.1f} s (listing {f.tables:,} assets took {f.listing_seconds:.1f} s"
            ", not included)",
        ),
        Row(
            f"{at}: edge agent's jobs (its log: first started -> last finished)",
            "?" if f.edge_job_seconds is None else f"{f.edge_job_seconds:.1f} s",
        ),
        Row(
            f"{at}: throughput to completed",
            f"{f.tables / f.completed_seconds:,.1f} tables/s, "
            f"{f.columns / f.completed_seconds:,.0f} columns/s",
        ),
        Row(
            f"{at}: edge agent peak RSS (VmHWM)",
            f"{_mib(f.peak_kib)} (+{_mib(f.peak_kib - f.rss_before_kib)} over the RSS before "
            f"the job, {_mib(f.rss_before_kib)}; VmHWM before {_mib(f.hwm_before_kib)}; "
            f"RSS after {_mib(f.rss_after_kib)})",
        ),
        Row(
            f"{at}: edge agent RSS at 1/4, 1/2, 3/4, end of the job",
            " / ".join(_mib(kib) for kib in f.rss_during_kib) or "?",
        ),
        Row(
            f"{at}: CPU seconds POST -> settled, per process",
            f"{cpu_text(f.cpu)} (window {f.settled_seconds:.1f} s)",
        ),
        Row(
            f"{at}: system start -> warm-up discovery completed (excluded)",
            f"{f.warmup_seconds:.1f} s",
        ),
        Row(
            f"{at}: generation, {ROWS:,} rows per table (reference)",
            f"{f.generate_seconds:.1f} s",
        ),
    ]


def run(srv: Servers, quick: bool) -> Result:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    result = Result(NAME, TITLE)
    result.notes.append(f"load average before: {load_average()}")
    figures = [one_size(srv, tables) for tables in sizes]
    small, large = figures[0], figures[-1]
    ratio = large.peak_kib / small.peak_kib
    growth = (large.peak_kib - large.rss_before_kib) / max(1, small.peak_kib - small.rss_before_kib)
    for f in figures:
        result.rows += rows_of(f)
    targeted = large.tables == TARGET_TABLES
    # The agent inherits this process's environment, where a sample size may have been set.
    configured = os.environ.get("DATAWAVE_EDGE_SAMPLE_ROWS")
    sample_rows = configured or f"{DEFAULT_SAMPLE_ROWS:,}"
    sample_source = "DATAWAVE_EDGE_SAMPLE_ROWS" if configured else "the default"
    result.rows += [
        Row(
            f"edge peak memory, {large.tables:,} / {small.tables:,} tables",
            f"{ratio:.2f}x (growth above RSS before the job: {growth:.2f}x)",
            f"<= {TARGET_MEMORY_RATIO:g}x (flat)",
            ratio <= TARGET_MEMORY_RATIO,
        ),
        Row(
            f"{large.tables:,} tables: POST discover -> status completed",
            f"{large.completed_seconds:.1f} s (settled {large.settled_seconds:.1f} s)",
            f"<= {TARGET_SECONDS:g} s" + ("" if targeted else f" at {TARGET_TABLES:,} tables"),
            large.completed_seconds <= TARGET_SECONDS if targeted else None,
        ),
    ]
    result.notes += [
        f"sizes {' and '.join(f'{s:,}' for s in sizes)} tables of {COLUMNS} columns (bigint "
        "key, integers, names, e-mails, phones, numerics, floats, dates, timestamps, booleans, "
        f"uuids, free text; some columns partly NULL) and {ROWS:,} rows each, generated with "
        f"generate_series in {GENERATORS} connections, then ANALYZE",
        "per size: fresh event store, broker and edge agent process; api, relay, worker and edge "
        "as subprocesses; a one-table warm-up discovery first, so consumer-group joins and first "
        "imports are excluded; the warm-up counts in the agent's VmHWM, which is why the RSS "
        "before the job is given beside the peak",
        f"edge agent: sample of {sample_rows} rows per table ({sample_source}), results "
        f"published in batches of {BATCH_TABLES} tables "
        f"({large.batches} batches ingested by the worker at {large.tables:,} tables, over the "
        "discover, profile and classify passes)",
        "completed = GET /data-sources/{id} shows last_discovery completed for the workflow "
        f"(polled every {STATUS_POLL:g} s); settled = relay and every projection at lag 0 (polled "
        f"every {LAG_POLL:g} s), looked for once completed, and all assets listed by GET "
        f"/assets, each with {COLUMNS} profiled columns; the 60 s target is taken on completed",
    ]
    if not targeted:
        result.notes.append(
            f"quick sizes: the {TARGET_SECONDS:g} s target applies at {TARGET_TABLES:,} tables "
            "and is not judged here"
        )
    return result
