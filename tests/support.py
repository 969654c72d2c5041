"""Test helpers: servers (the machine's own where they answer, embedded otherwise), the system's
processes, a command workload, and the replay that read models are compared against."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
from psycopg.rows import dict_row

from api.auth import issue_token
from api.supervisor import COMPONENTS
from commands.data_sources import DataSources
from commands.messages import DecommissionDataSource, RegisterDataSource, UpdateDataSource
from domain.errors import ConflictError
from domain.meta import EventMeta
from infra.embedded import EmbeddedKafka, EmbeddedPostgres, EmbeddedRedis, free_port
from infra.event_log import EventLog
from infra.lag import lags
from infra.postgres import EVENTS_TABLE
from infra.settings import Settings
from projections.data_sources import apply_event

ROOT = Path(__file__).resolve().parent.parent
META: EventMeta = {"actor": "test-runner", "correlation_id": "test", "causation_id": "test"}


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def fresh_database(server_dsn: str) -> str:
    """A new empty database on the server; its DSN."""
    name = f"dw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_dsn.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server_dsn: str, dsn: str) -> None:
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Component:
    """One of the system's processes (api, relay, worker), run as users run it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=log, cwd=ROOT)

    def kill_hard(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class System:
    """A database, a Redis prefix, a broker and the processes that serve them."""

    dsn: str
    redis_url: str
    redis_prefix: str
    bootstrap: str
    data_dir: Path
    api_port: int
    components: dict[str, Component] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATAWAVE_DATABASE_URL": self.dsn,
            "DATAWAVE_REDIS_URL": self.redis_url,
            "DATAWAVE_REDIS_PREFIX": self.redis_prefix,
            "DATAWAVE_KAFKA_BOOTSTRAP": self.bootstrap,
            "DATAWAVE_DATA_DIR": str(self.data_dir),
            "DATAWAVE_API_PORT": str(self.api_port),
            "DATAWAVE_LOG_FORMAT": "json",
            # Stage retries wait 0.5 s, then 1 s: the tests see retries without waiting long.
            "DATAWAVE_SCAN_RETRY_BACKOFF_SECONDS": "0.5",
        }

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self, *names: str) -> None:
        for name in names:
            component = Component(name, COMPONENTS[name], self.env, self.data_dir / f"{name}.log")
            self.components[name] = component
            component.start()

    def stop(self) -> None:
        for component in self.components.values():
            component.stop()

    def event_store_head(self) -> int:
        """The highest position in the event store: it moves with every stored event."""
        with psycopg.connect(self.dsn) as conn:
            row = conn.execute(
                f"SELECT COALESCE(MAX(notification_id), 0) FROM {EVENTS_TABLE}"
            ).fetchone()
        return int(row[0]) if row else 0

    def events_after(self, position: int) -> int:
        """How many events are stored after `position`. Not the head's difference: an append
        rolled back on a version conflict has taken its positions, which stay unused."""
        with psycopg.connect(self.dsn) as conn:
            row = conn.execute(
                f"SELECT COUNT(*) FROM {EVENTS_TABLE} WHERE notification_id > %s",
                (position,),
            ).fetchone()
        return int(row[0]) if row else 0

    def token(self, *roles: str, subject: str = "tester", ttl: int = 600) -> str:
        """A bearer token the running API accepts."""
        secret = Settings(data_dir=self.data_dir).jwt_key()
        return issue_token(secret, subject, list(roles), ttl)

    def wait_caught_up(self, timeout: float = 120.0) -> dict[str, int]:
        """Wait until the relay and every projection have applied the whole event store."""
        deadline = time.monotonic() + timeout
        current: dict[str, int] = {}
        while time.monotonic() < deadline:
            current = asyncio.run(self._lags())
            if current and all(v == 0 for v in current.values()):
                return current
            time.sleep(0.2)
        raise AssertionError(f"not caught up after {timeout} s: {current}")

    def wait_caught_up_relay(self, timeout: float = 60.0) -> None:
        """Wait until the relay alone has published the whole event store."""
        deadline = time.monotonic() + timeout
        while asyncio.run(self._lags()).get("relay") != 0:
            if time.monotonic() > deadline:
                raise AssertionError("the relay did not catch up")
            time.sleep(0.1)

    async def _lags(self) -> dict[str, int]:
        async with await psycopg.AsyncConnection.connect(self.dsn) as conn:
            return await lags(conn)


@contextmanager
def system_on(dsn: str, redis_url: str, bootstrap: str, data_dir: Path) -> Iterator[System]:
    """A System on these servers with its own Redis prefix; stopped and its keys removed after."""
    prefix = f"dwtest:{uuid.uuid4().hex[:8]}"
    system = System(dsn, redis_url, prefix, bootstrap, data_dir, free_port())
    try:
        yield system
    finally:
        system.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


class Workload:
    """A stream of register, update and decommission commands from several threads."""

    def __init__(self, app: DataSources, total: int, threads: int = 8, seed: int = 7) -> None:
        self.app = app
        self.total = total
        self.threads = threads
        self.done = 0
        self.ids: list[uuid.UUID] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.errors: list[BaseException] = []

    def _next(self) -> Callable[[], Any] | None:
        with self._lock:
            if self.done >= self.total:
                return None
            self.done += 1
            n = self.done
            choice = self._random.random()
            target = self._random.choice(self.ids) if self.ids else None
        if target is None or choice < 0.3:
            cmd = RegisterDataSource(
                name=f"source-{n}-{uuid.uuid4().hex[:6]}",
                kind="postgresql",
                connection={"dsn": f"postgresql://u:pw{n}@db{n % 7}:5432/x"},
                tags=["t"],
            )

            def register() -> None:
                receipt = self.app.register(cmd, META)
                with self._lock:
                    self.ids.append(receipt.aggregate_id)

            return register
        if choice < 0.95:
            return lambda: self.app.update(
                UpdateDataSource(target, owner=f"o{n}", tags=[f"t{n}"]), META
            )
        return lambda: self.app.decommission(DecommissionDataSource(target), META)

    def _run(self) -> None:
        while (step := self._next()) is not None:
            try:
                step()
            except ConflictError:
                pass  # decommissioned meanwhile: the domain refused, as it should
            except BaseException as error:  # noqa: BLE001 - reported by the test
                self.errors.append(error)

    @contextmanager
    def running(self) -> Iterator[Workload]:
        workers = [threading.Thread(target=self._run) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        try:
            yield self
        finally:
            for worker in workers:
                worker.join()
            assert not self.errors, self.errors[:3]

    def wait_done(self, count: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.done < count and time.monotonic() < deadline:
            time.sleep(0.01)


def replay_sources(event_log: EventLog) -> dict[str, dict[str, Any]]:
    """The data-source rows as a replay of the whole event store computes them."""
    rows: dict[str, dict[str, Any]] = {}
    after = 0
    while batch := event_log.read(after, 5000):
        for item in batch:
            if item.envelope is not None and item.envelope["aggregatetype"] == "DataSource":
                row = apply_event(rows.get(item.aggregate_id), item.envelope)
                if row is not None:
                    rows[item.aggregate_id] = row
        after = batch[-1].position
    return rows


def public_event_count(event_log: EventLog) -> int:
    count, after = 0, 0
    while batch := event_log.read(after, 5000):
        count += sum(1 for item in batch if item.envelope is not None)
        after = batch[-1].position
    return count


def read_model_rows(dsn: str) -> dict[str, dict[str, Any]]:
    with psycopg.connect(dsn) as conn, conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT * FROM rm_data_sources")
        return {str(r["id"]): r for r in cur.fetchall()}


COMPARED = ("name", "kind", "connection", "owner", "tags", "status", "version")


def assert_read_model_equals_replay(system: System, event_log: EventLog) -> int:
    """Every row present, none extra, each at the replayed version and content; audit complete."""
    expected = replay_sources(event_log)
    actual = read_model_rows(system.dsn)
    assert set(actual) == set(expected), (
        f"missing {len(set(expected) - set(actual))}, extra {len(set(actual) - set(expected))}"
    )
    for sid, row in expected.items():
        got = {k: actual[sid][k] for k in COMPARED}
        assert got == {k: row[k] for k in COMPARED}, sid
    with psycopg.connect(system.dsn) as conn:
        audit = conn.execute(
            "SELECT count(*), count(DISTINCT position) FROM rm_audit_events"
        ).fetchone()
    assert audit is not None
    assert audit[0] == audit[1] == public_event_count(event_log)
    return len(expected)


@dataclass(frozen=True)
class Servers:
    """The PostgreSQL server (maintenance DSN) and Redis every measurement shares."""

    postgres: str
    redis_url: str
    postgres_kind: str
    redis_kind: str

    def postgres_version(self) -> str:
        with psycopg.connect(self.postgres) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


@contextmanager
def servers(workdir: Path, *, use_local: bool = True) -> Iterator[Servers]:
    """The machine's PostgreSQL and Redis where they answer on their usual ports (unless
    `use_local` is false), else embedded ones in `workdir`; stopped on exit."""
    with ExitStack() as stack:
        if use_local and answers("127.0.0.1", 5432):
            pg, pg_kind = "postgresql://postgres@127.0.0.1:5432/postgres", "system"
        else:
            embedded_pg = EmbeddedPostgres(workdir / "pg")
            dsn = embedded_pg.start()
            stack.callback(embedded_pg.stop)
            pg, pg_kind = dsn.rsplit("/", 1)[0] + "/postgres", "embedded"
        if use_local and answers("127.0.0.1", 6379):
            redis_url, redis_kind = "redis://127.0.0.1:6379/0", "system"
        else:
            embedded_redis = EmbeddedRedis(workdir / "redis")
            redis_url = embedded_redis.start()
            stack.callback(embedded_redis.stop)
            redis_kind = "embedded"
        yield Servers(pg, redis_url, pg_kind, redis_kind)


@contextmanager
def running_system(
    postgres_server: str, redis_url: str, folder: Path, *components: str
) -> Iterator[System]:
    """A fresh database, broker and Redis prefix, with these components started."""
    kafka = EmbeddedKafka(folder)
    dsn = fresh_database(postgres_server)
    try:
        with system_on(dsn, redis_url, kafka.start(), folder) as system:
            system.start(*components)
            wait_http(f"{system.api_url}/healthz")
            yield system
    finally:
        kafka.stop()
        drop_database(postgres_server, dsn)
