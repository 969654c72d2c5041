"""`datawave up`: embedded servers when none are configured, then the API, relay and worker.

Components run as child processes so that one crashing (or being killed) is restarted alone;
they watch their parent and stop cleanly when a hard kill takes the supervisor away.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import structlog

from infra.bootstrap import build
from infra.embedded import EmbeddedKafka, EmbeddedPostgres, EmbeddedRedis
from infra.postgres import redact_dsn
from infra.processes import PARENT_ENV
from infra.settings import Settings

log = structlog.get_logger()

RUNTIME_FILE = "runtime.json"
LOCK_FILE = "up.lock"
STOP_TIMEOUT = 15.0
READY_TIMEOUT = 60.0
MAX_QUICK_RESTARTS = 5
RESTART_BACKOFF_MAX = 30.0

COMPONENTS: dict[str, list[str]] = {
    "api": [sys.executable, "-m", "api.server"],
    "relay": [sys.executable, "-m", "streams.run", "relay"],
    "worker": [sys.executable, "-m", "streams.run", "worker"],
    "edge": [sys.executable, "-m", "edge.agent"],
}


def _can_listen(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (as uvicorn binds: address reuse on)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _say(line: str) -> None:
    # Flushed: the banner must show even when stdout is a pipe (`make run | tee up.log`).
    print(line, flush=True)


class UpError(Exception):
    """`datawave up` cannot start; the message says why in one line."""


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_restarts: int = 0
    restart_at: float | None = None  # when an exited child is started again

    def start(self, env: dict[str, str], log_file: IO[bytes]) -> None:
        self.process = subprocess.Popen(
            self.argv,
            env=env,
            stdout=log_file,
            stderr=log_file,
            # Own session: Ctrl-C reaches the supervisor only, which stops children in order.
            start_new_session=True,
        )
        self.started = time.monotonic()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Supervisor:
    settings: Settings
    out: Callable[[str], None] = _say
    stopping: threading.Event = field(default_factory=threading.Event)
    _runtime_path: Path = field(init=False, default=Path(RUNTIME_FILE))
    _runtime: dict[str, Any] = field(init=False, default_factory=dict)

    def run(self) -> int:
        self._check_urls()
        data_dir = self.settings.data_dir.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        with self._exclusive(data_dir):
            host, port = self.settings.api_host, self.settings.api_port
            if not _can_listen(host, port):
                # Checked first: the readiness probe would otherwise be answered by whatever
                # holds the port, and this install announce itself before its API gave up.
                raise UpError(f"{host}:{port} is in use; set DATAWAVE_API_PORT to a free port")
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, lambda *_: self.stopping.set())
            # Servers started here, by part: stopped last, and marked "embedded" in output.
            embedded: dict[str, EmbeddedPostgres | EmbeddedRedis | EmbeddedKafka] = {}
            children = [Child(name, argv) for name, argv in COMPONENTS.items()]
            try:
                urls = self._servers(data_dir, embedded)
                env = {
                    **os.environ,
                    PARENT_ENV: str(os.getpid()),
                    "DATAWAVE_DATA_DIR": str(data_dir),
                    "DATAWAVE_DATABASE_URL": urls["postgres"],
                    "DATAWAVE_REDIS_URL": urls["redis"],
                    "DATAWAVE_KAFKA_BOOTSTRAP": urls["kafka"],
                }
                build(
                    self.settings.model_copy(
                        update={
                            "database_url": urls["postgres"],
                            "redis_url": urls["redis"],
                            "kafka_bootstrap": urls["kafka"],
                            "data_dir": data_dir,
                        }
                    ),
                    group_commit=False,
                )
                with (data_dir / "components.log").open("ab") as log_file:
                    for child in children:
                        child.start(env, log_file)
                    api_url = f"http://{self.settings.api_host}:{self.settings.api_port}"
                    self._wait_ready(api_url, children)
                    if self.stopping.is_set():  # Ctrl-C before the API answered: never up
                        return 0
                    self._write_runtime(data_dir, urls, embedded, children, api_url)
                    self._announce(data_dir, urls, embedded, api_url)
                    return self._watch(children, env, log_file)
            finally:
                for child in reversed(children):
                    child.stop()
                for server in reversed(embedded.values()):
                    server.stop()
                (data_dir / RUNTIME_FILE).unlink(missing_ok=True)
                self.out("DataWave stopped.")

    def _check_urls(self) -> None:
        """The configured servers' URLs, checked before anything starts."""
        for name, url, schemes in (
            ("DATAWAVE_DATABASE_URL", self.settings.database_url, ("postgresql", "postgres")),
            ("DATAWAVE_REDIS_URL", self.settings.redis_url, ("redis", "rediss", "unix")),
        ):
            if not url:
                continue
            try:
                scheme = urlsplit(url).scheme
            except ValueError:  # an unclosed [IPv6] host
                raise UpError(f"{name} is not a valid URL") from None
            if scheme not in schemes:  # (the hosts are libpq's to read: it takes several)
                allowed = ", ".join(f"{s}://" for s in schemes)
                raise UpError(f"{name} must start with one of {allowed}")

    @contextlib.contextmanager
    def _exclusive(self, data_dir: Path) -> Any:
        with (data_dir / LOCK_FILE).open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UpError(f"another `datawave up` is already running on {data_dir}") from None
            yield

    def _servers(self, data_dir: Path, embedded: dict[str, Any]) -> dict[str, str]:
        s = self.settings
        urls: dict[str, str] = {}
        for key, configured, factory in (
            ("postgres", s.database_url, lambda: EmbeddedPostgres(data_dir)),
            ("redis", s.redis_url, lambda: EmbeddedRedis(data_dir)),
            ("kafka", s.kafka_bootstrap, lambda: EmbeddedKafka(data_dir)),
        ):
            if configured:
                urls[key] = configured
                continue
            server = factory()
            embedded[key] = server
            urls[key] = server.start()
        return urls

    def _wait_ready(self, api_url: str, children: list[Child]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and not self.stopping.is_set():
            for child in children:
                if child.process is not None and child.process.poll() is not None:
                    raise UpError(f"the {child.name} process exited at start; see components.log")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api_url}/healthz", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.2)
        if not self.stopping.is_set():
            raise UpError(f"the API did not answer on {api_url} within {READY_TIMEOUT:g} s")

    def _watch(self, children: list[Child], env: dict[str, str], log_file: IO[bytes]) -> int:
        """Restart a component that exits. One that keeps exiting (its database gone, say) is
        restarted ever more slowly, up to every RESTART_BACKOFF_MAX seconds, rather than taking
        the whole install down: the rest keeps serving, and it resumes once its cause is gone."""
        while not self.stopping.wait(0.5):
            for child in children:
                assert child.process is not None
                code = child.process.poll()
                if code is None or self.stopping.is_set():
                    continue
                now = time.monotonic()
                if child.restart_at is None:
                    quick = now - child.started < 30
                    child.quick_restarts = child.quick_restarts + 1 if quick else 0
                    extra = child.quick_restarts - MAX_QUICK_RESTARTS
                    delay = min(RESTART_BACKOFF_MAX, 2.0**extra) if extra > 0 else 0.0
                    child.restart_at = now + delay
                    log.warning(
                        "component_exited", component=child.name, exit_code=code, restart_in=delay
                    )
                if now < child.restart_at:
                    continue
                child.restart_at = None
                child.start(env, log_file)
                self._record_pids(children)  # `datawave status` reads them
        return 0

    def _write_runtime(
        self,
        data_dir: Path,
        urls: dict[str, str],
        embedded: dict[str, Any],
        children: list[Child],
        api_url: str,
    ) -> None:
        runtime = {
            "supervisor_pid": os.getpid(),
            "api": {"url": api_url},
            "postgres": {"url": urls["postgres"], "embedded": "postgres" in embedded},
            "redis": {"url": urls["redis"], "embedded": "redis" in embedded},
            "kafka": {"bootstrap": urls["kafka"], "embedded": "kafka" in embedded},
        }
        self._runtime_path = data_dir / RUNTIME_FILE
        self._runtime = runtime
        self._record_pids(children)

    def _record_pids(self, children: list[Child]) -> None:
        """(Re)write runtime.json with the components' current process ids; owner-only, since
        it holds the servers' URLs."""
        pids = {c.name: c.process.pid for c in children if c.process is not None}
        # Written aside and renamed: a `datawave status` reading meanwhile sees old or new, whole.
        partial = self._runtime_path.with_suffix(".json.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({**self._runtime, "components": pids}, out, indent=2)
        partial.replace(self._runtime_path)

    def _announce(
        self, data_dir: Path, urls: dict[str, str], embedded: dict[str, Any], api_url: str
    ) -> None:
        def tag(part: str) -> str:
            return " (embedded)" if part in embedded else ""

        self.out("DataWave is up.")
        self.out(f"  API         {api_url}   (OpenAPI: {api_url}/docs)")
        self.out(f"  PostgreSQL  {redact_dsn(urls['postgres'])}{tag('postgres')}")
        self.out(f"  Redis       {redact_dsn(urls['redis'])}{tag('redis')}")
        self.out(f"  Kafka       {urls['kafka']}{tag('kafka')}")
        self.out(f"  Data folder {data_dir}")
        self.out("  Get a token: .venv/bin/datawave token --subject you --role admin")
        self.out("Press Ctrl-C to stop.")
