"""What every measurement shares: the servers, a fresh environment per run, statistics, output."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import redis

from infra.embedded import EmbeddedKafka, free_port
from infra.lag import lags
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store
from tests.support import Servers, System, drop_database, fresh_database

T = TypeVar("T")

JWT_SECRET = "bench-jwt-secret-" + "x" * 32
SEALING_KEY = "bench-sealing-key"


def quiet_missing_sniffio() -> None:
    """Make the load generator's failed `import sniffio` cheap.

    httpcore 1.0 imports sniffio on every pool operation and falls back to asyncio when that
    fails; the anyio installed here (4.16) does not pull sniffio in, so each request paid a full
    failed import (a stat of every sys.path entry). A None entry in sys.modules makes that import
    fail at once, with the same outcome. Only this (client) process is affected, never the servers
    measured.
    """
    if importlib.util.find_spec("sniffio") is None:
        sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]


def progress(name: str, message: str) -> None:
    """One line per phase, so a long run shows where it is."""
    print(f"[{time.strftime('%H:%M:%S')}] {name}: {message}", flush=True)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (pct in 0..100) of `values`; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Row:
    """One figure of a measurement, with its target where the issue sets one."""

    metric: str
    value: str
    target: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "NOT met")


@dataclass
class Result:
    """What a measurement reports: its figures, and notes on how they were taken."""

    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [
            f"### {self.name}: {self.title}",
            "",
            "| metric | value | target | verdict |",
            "|---|---|---|---|",
        ]
        lines += [f"| {r.metric} | {r.value} | {r.target} | {r.verdict} |" for r in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines)


class BenchSystem(System):
    """The system's processes with fixed keys, so the benchmark can mint tokens the API accepts."""

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "DATAWAVE_JWT_SECRET": JWT_SECRET,
            "DATAWAVE_SECRET_KEY": SEALING_KEY,
        }


@contextmanager
def environment(name: str, srv: Servers) -> Iterator[BenchSystem]:
    """A fresh database, Redis prefix and broker (in a temp dir); all removed afterwards."""
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{name}-")))
        dsn = fresh_database(srv.postgres)
        stack.callback(drop_database, srv.postgres, dsn)
        # The tables exist before any component starts: processes that create the event store's
        # table at the same moment can collide (see BENCHMARKS.md), which is not what is measured.
        create_schema(dsn)
        open_event_store(dsn, AesGcmSecretBox(SEALING_KEY)).close()
        prefix = f"dwbench:{name}:{uuid.uuid4().hex[:8]}"
        stack.callback(delete_prefix, srv.redis_url, prefix)
        broker = EmbeddedKafka(tmp / "kafka")
        broker.start()
        stack.callback(broker.stop)
        system = BenchSystem(dsn, srv.redis_url, prefix, broker.bootstrap, tmp, free_port())
        if keep := os.environ.get("BENCH_KEEP_LOGS"):
            # Registered before system.stop, so it runs after it: the logs are complete.
            stack.callback(_keep_logs, tmp, Path(keep) / f"{name}-{prefix.rsplit(':', 1)[1]}")
        stack.callback(system.stop)
        yield system


def _keep_logs(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for log_file in source.glob("*.log"):
        shutil.copy(log_file, target / log_file.name)


def delete_prefix(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    finally:
        client.close()


def current_lags(dsn: str) -> dict[str, int]:
    """The relay's and each projection's lag, in event-store positions."""

    async def read() -> dict[str, int]:
        async with await psycopg.AsyncConnection.connect(dsn) as conn:
            return await lags(conn)

    return asyncio.run(read())


def python_speed() -> list[float]:
    """Seconds this machine takes for a fixed pure-Python loop (10 million additions), three
    times in a row: this VM's speed varies from hour to hour (and within a minute, when it is
    throttled: the first loop may run at full speed and the next ones at a third of it), and
    absolute figures of two runs compare only beside it."""
    seconds = []
    for _ in range(3):
        began, total = time.perf_counter(), 0
        for n in range(10_000_000):
            total += n
        seconds.append(time.perf_counter() - began)
    return seconds


def machine() -> dict[str, Any]:
    """nproc, RAM, the kernel and the Python speed, for the results header."""
    ram_kb = 0
    with Path("/proc/meminfo").open() as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(ram_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
        "python_speed": python_speed(),
    }


def _cpu_model() -> str:
    try:
        out = subprocess.run(["/usr/bin/lscpu"], capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    for line in out.stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "?"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class ProcessCpu:
    """CPU used by named processes between start() and stop(), in cores."""

    pids: dict[str, int]
    cores: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def start(self) -> None:
        self._marks = ({n: cpu_seconds(p) for n, p in self.pids.items()}, time.perf_counter())

    def stop(self) -> None:
        used, began = self._marks
        self.seconds = time.perf_counter() - began
        self.cores = {n: (cpu_seconds(p) - used[n]) / self.seconds for n, p in self.pids.items()}

    def describe(self) -> str:
        return "; ".join(f"{name} {cores:.2f} cores" for name, cores in self.cores.items())


@dataclass
class CpuMeter:
    """CPU used by a server process and by this one (the benchmark client) between start() and
    stop()."""

    pid: int

    def __post_init__(self) -> None:
        self._cpu = ProcessCpu({"server": self.pid, "client": os.getpid()})

    def start(self) -> None:
        self._cpu.start()

    def stop(self) -> None:
        self._cpu.stop()

    def describe(self, requests: int) -> str:
        server, client = self._cpu.cores["server"], self._cpu.cores["client"]
        per_request = server * self._cpu.seconds * 1000 / requests if requests else 0.0
        per = f", {per_request:.1f} ms per request" if requests else ""
        return f"server {server:.2f} cores{per}; benchmark client {client:.2f} cores"


def timed_in_threads(items: Iterable[T], threads: int, process: Callable[[T], None]) -> float:
    """Process `items` from `threads` threads at once, each taking the next item; the seconds
    until all are done. The first error stops every thread and is raised here."""
    pending = deque(items)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                if not pending or errors:
                    return
                item = pending.popleft()
            try:
                process(item)
            except BaseException as error:  # noqa: BLE001 - re-raised below
                with lock:
                    errors.append(error)
                return

    began = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - began
