"""`make run` end to end: `datawave up` as a user starts it, on an empty folder and a clean
environment, so that it must start its own PostgreSQL, Redis and broker, and stop all of them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from api.supervisor import STOP_TIMEOUT
from infra.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
HANG = 90.0  # no step of these tests may take longer: a hang fails instead of blocking
STOP_DEADLINE = 30.0
SOURCE = {
    "name": "crm",
    "kind": "postgresql",
    "connection": {"dsn": "postgresql://app:Sup3r-Secret@db.internal:5432/crm"},
}
# Not inherited: what a plain shell running `make run` may lack (an unbuffered stdout hides a
# banner that never reaches a pipe; XDG_RUNTIME_DIR is unset in containers, CI and ssh sessions).
NOT_INHERITED = ("PYTHONUNBUFFERED", "XDG_RUNTIME_DIR")

T = TypeVar("T")


def clean_env(data_dir: Path, api_port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DATAWAVE_") and key not in NOT_INHERITED
    }
    env["DATAWAVE_DATA_DIR"] = str(data_dir)
    env["DATAWAVE_API_PORT"] = str(api_port)
    return env


def datawave(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.3)


def one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


# --- processes, from /proc ------------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    started: int  # clock ticks after boot: tells a process from a later one given the same pid
    cmd: str


def _stat(pid: int) -> tuple[str, int, int] | None:
    """State, parent pid and start time of pid, or None when there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _cwd(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def alive(proc: Proc) -> bool:
    stat = _stat(proc.pid)
    return stat is not None and stat[2] == proc.started and stat[0] not in ("Z", "X")


def processes_of(data_dir: Path, ports: set[int], roots: set[int]) -> set[Proc]:
    """Every process that belongs to the system on data_dir: descendants of roots, and any
    process whose command line names data_dir or one of ports, whose working folder is in
    data_dir, or whose environment points DATAWAVE_DATA_DIR at it."""
    folder = str(data_dir)
    marker = f"DATAWAVE_DATA_DIR={folder}\0".encode()
    port_pattern = (
        re.compile(rf"(127\.0\.0\.1:|-p )({'|'.join(map(str, ports))})\b") if ports else None
    )
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            table[int(entry.name)] = (stat[1], stat[2])
    found: set[int] = set()
    for pid in table:
        if pid == os.getpid():
            continue
        cmd, cwd = _cmdline(pid), _cwd(pid)
        if (
            f"{folder}/" in f"{cmd} "
            or f"{folder} " in f"{cmd} "
            or cwd == folder
            or cwd.startswith(f"{folder}/")
            or marker in _environ(pid)
            or (port_pattern is not None and port_pattern.search(cmd))
        ):
            found.add(pid)
    frontier = set(roots) | found
    while frontier:
        found |= frontier
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier} - found
    return {Proc(pid, table[pid][1], _cmdline(pid)) for pid in found if pid in table}


# --- `datawave up` ---------------------------------------------------------------------------


@dataclass
class Up:
    """One `datawave up`, as `make run` starts it, in its own process group."""

    data_dir: Path
    api_port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)
    seen: set[Proc] = field(default_factory=set)
    _stderr: IO[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return clean_env(self.data_dir, self.api_port)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def stdout(self) -> str:
        return "\n".join(self.lines)

    def start(self) -> Up:
        self._stderr = self.stderr_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "up"],
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        return self

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + HANG
        while not any(line.startswith("DataWave is up") for line in self.lines):
            code = self.process.poll()
            assert code is None, f"`datawave up` exited with {code}:\n{self.stdout}{self.logs()}"
            assert time.monotonic() < deadline, f"not up within {HANG:g} s:\n{self.stdout}"
            time.sleep(0.1)
        # The banner comes after runtime.json; remember the whole tree while it runs.
        self.seen = self.processes()

    def runtime(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.data_dir / "runtime.json").read_text())
        return data

    def ports(self) -> set[int]:
        try:
            runtime = self.runtime()
        except (OSError, ValueError):
            return {self.api_port}
        urls = [runtime["postgres"]["url"], runtime["redis"]["url"]]
        ports = {urlsplit(url).port or 0 for url in urls}
        return ports | {int(runtime["kafka"]["bootstrap"].rsplit(":", 1)[1]), self.api_port}

    def processes(self) -> set[Proc]:
        roots = {self.process.pid} if self.process is not None else set()
        return processes_of(self.data_dir, self.ports(), roots)

    @property
    def stderr_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}-up.err"

    def logs(self) -> str:
        """The tails of its stderr and of the components' log, for failure messages."""
        text = ""
        for path in (self.stderr_path, self.data_dir / "components.log"):
            tail = path.read_text(errors="replace")[-2000:] if path.exists() else ""
            text += f"\n--- {path.name} (tail) ---\n{tail}"
        return text

    def stop(self, sig: signal.Signals, *, group: bool = False) -> tuple[int, float]:
        """Signal it (its whole process group when group, as a terminal's Ctrl-C does); the exit
        code and the seconds it took."""
        assert self.process is not None
        began = time.monotonic()
        if group:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"still running {STOP_DEADLINE:g} s after {sig.name}:\n{self.stdout}{self.logs()}"
            ) from None
        return code, time.monotonic() - began

    def kill(self) -> None:
        """Finalizer: whatever happened, nothing this started outlives the test."""
        doomed = self.seen | self.processes()
        if self.process is not None:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        for proc in doomed:
            if alive(proc):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
        if self._stderr is not None:
            self._stderr.close()

    def assert_gone(self) -> None:
        """No process of this system remains, and no port of it still answers."""
        expected = {self.process.pid} if self.process is not None else set()
        assert expected <= {p.pid for p in self.seen}, "the process scan missed the supervisor"
        deadline = time.monotonic() + 10
        left = {p for p in self.seen if alive(p)}
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = {p for p in left if alive(p)}
        strays = {p for p in processes_of(self.data_dir, set(), set()) if alive(p)}
        assert not left | strays, f"orphans: {sorted((p.pid, p.cmd) for p in left | strays)}"


def client(up: Up, token: str) -> httpx.Client:
    return httpx.Client(base_url=up.api, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def admin_token(up: Up) -> str:
    result = datawave(up.env, "token", "--subject", "t", "--role", "admin")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def status(up: Up) -> dict[str, Any]:
    result = datawave(up.env, "status", "--json")
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def read(up: Up, token: str, path: str, **params: str) -> Any:
    """GET path; a 503 (the read model is not there yet, e.g. the worker still joining its
    group after a fresh start) says to retry shortly, as a client would."""
    with client(up, token) as http:
        for _ in range(4):
            response = http.get(path, params=params)
            if response.status_code != 503:
                break
    assert response.status_code == 200, response.text
    return response.json()


def listed(up: Up, token: str, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = read(up, token, "/api/v1/data-sources", **params)["items"]
    return items


def assert_stopped(up: Up, code: int, seconds: float) -> None:
    assert code == 0, f"exit code {code}:\n{up.stdout}{up.logs()}"
    assert up.lines[-1:] == ["DataWave stopped."], up.stdout
    # Stopping in order never needs the supervisor's kill fallback for a hung component.
    assert seconds < STOP_TIMEOUT, f"stopping took {seconds:.1f} s"
    assert not (up.data_dir / "runtime.json").exists()
    up.assert_gone()


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("up") / "data"


@pytest.fixture(scope="module")
def first_up(data_dir: Path) -> Iterator[Up]:
    up = Up(data_dir)
    try:
        up.start().wait_up()
        yield up
    finally:
        up.kill()


@pytest.fixture(scope="module")
def registered(first_up: Up) -> tuple[httpx.Response, str]:
    """The crm source, registered through the first run's API; the response and the token."""
    token = admin_token(first_up)
    with client(first_up, token) as http:
        return http.post("/api/v1/data-sources", json=SOURCE), token


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_up_starts_embedded_servers_and_serves_the_api(
    first_up: Up, registered: tuple[httpx.Response, str]
) -> None:
    banner = {line.split()[0]: line for line in first_up.lines if line.startswith("  ")}
    assert first_up.api in banner["API"]
    runtime = first_up.runtime()
    for name, key in (("PostgreSQL", "postgres"), ("Redis", "redis")):
        url = runtime[key]["url"]
        assert banner[name].endswith("(embedded)"), banner[name]
        assert urlsplit(banner[name].split()[1]).netloc == urlsplit(url).netloc
        assert urlsplit(url).hostname == "127.0.0.1"
    assert banner["Kafka"].split()[1:] == [runtime["kafka"]["bootstrap"], "(embedded)"]
    assert urlsplit(runtime["postgres"]["url"]).port != 5432
    assert urlsplit(runtime["redis"]["url"]).port != 6379

    report = status(first_up)
    assert re.fullmatch(r"127\.0\.0\.1:\d+", report["kafka"]["bootstrap"]), report["kafka"]
    assert report["kafka"]["embedded"] is True
    for component in ("api", "relay", "worker"):
        assert report[component]["status"] == "running", report
    assert report["projections"], report
    lags = [report["relay"]["lag"], *(p["lag"] for p in report["projections"].values())]
    assert all(type(lag) is int and lag >= 0 for lag in lags), report

    assert httpx.get(f"{first_up.api}/healthz", timeout=10).status_code == 200
    ready = httpx.get(f"{first_up.api}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"event_store": "ok", "redis": "ok", "kafka": "ok"}

    response, token = registered
    assert response.status_code == 201, response.text
    written = response.json()
    items = listed(first_up, token, consistency_token=written["consistency_token"])
    assert [(i["id"], i["name"]) for i in items] == [(written["id"], "crm")]
    path = f"/api/v1/data-sources/{written['id']}"
    one = read(first_up, token, path, consistency_token=written["consistency_token"])
    assert one["name"] == "crm"


@pytest.mark.slow
def test_second_up_on_the_same_folder_is_refused(first_up: Up) -> None:
    before = first_up.runtime()
    second = datawave(clean_env(first_up.data_dir, free_port()), "up")
    assert second.returncode != 0
    assert one_line_error(second.stderr).startswith("datawave: error: "), second.stderr
    assert "DataWave is up" not in second.stdout
    assert first_up.process is not None and first_up.process.poll() is None
    assert first_up.runtime() == before
    assert httpx.get(f"{first_up.api}/healthz", timeout=10).status_code == 200
    assert status(first_up)["api"]["status"] == "running"


@pytest.mark.slow
def test_an_up_whose_api_port_is_taken_is_refused_before_it_starts(
    first_up: Up, tmp_path: Path
) -> None:
    taken = urlsplit(first_up.api).port
    assert taken is not None
    began = time.monotonic()
    second = datawave(clean_env(tmp_path / "other", taken), "up")
    assert second.returncode == 1
    error = one_line_error(second.stderr)
    assert (
        error
        == f"datawave: error: 127.0.0.1:{taken} is in use; set DATAWAVE_API_PORT to a free port"
    )
    assert "DataWave is up" not in second.stdout
    # Nothing was started: no embedded server's folder, and no wait for one.
    assert not (tmp_path / "other" / "postgres").exists()
    assert time.monotonic() - began < 30
    assert status(first_up)["api"]["status"] == "running"


@pytest.mark.slow
def test_parked_events_are_listed_and_replayed_from_the_cli(first_up: Up) -> None:
    listed = datawave(first_up.env, "projections", "parked", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    replayed = datawave(first_up.env, "projections", "replay")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == "no parked events"


@pytest.mark.slow
def test_read_models_are_rebuilt_from_the_cli_with_progress(
    first_up: Up, registered: tuple[httpx.Response, str]
) -> None:
    for args, error in (
        ((), "name the projections to rebuild"),
        (("nope",), "no projection 'nope': one of data_sources, assets, scan_workflows, audit"),
        (("audit", "--all"), "name the projections to rebuild"),
    ):
        refused = datawave(first_up.env, "projections", "rebuild", *args)
        assert refused.returncode == 1
        assert one_line_error(refused.stderr).startswith(f"datawave: error: {error}")
    response, token = registered
    source = response.json()["id"]

    def owner() -> str:
        return next(i["owner"] for i in listed(first_up, token) if i["id"] == source)

    def trail() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = read(
            first_up, token, "/api/v1/audit/events", aggregate_id=source
        )["items"]
        return items

    before, history = owner(), trail()
    assert history
    with psycopg.connect(first_up.runtime()["postgres"]["url"], autocommit=True) as conn:
        conn.execute("UPDATE rm_data_sources SET owner = 'tampered' WHERE id = %s", (source,))
        conn.execute("DELETE FROM rm_audit_events WHERE aggregate_id = %s", (source,))
    assert (owner(), trail()) == ("tampered", [])
    rebuilt = datawave(first_up.env, "projections", "rebuild", "--all")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert re.fullmatch(
        r"rebuilt data_sources, assets, scan_workflows, audit: \d+ events, up to position \d+, "
        r"in [\d.]+ s",
        rebuilt.stdout.strip(),
    ), rebuilt.stdout
    assert "100%" in rebuilt.stderr.splitlines()[-1]
    assert (owner(), trail()) == (before, history)
    assert status(first_up)["dead_letters"] == 0


@pytest.mark.slow
def test_sigterm_stops_everything(first_up: Up, registered: tuple[httpx.Response, str]) -> None:
    runtime = first_up.runtime()
    pids = {runtime["supervisor_pid"], *runtime["components"].values()}
    assert pids <= {p.pid for p in first_up.seen}
    commands = " ".join(p.cmd for p in first_up.seen)
    for server in ("postgres", "redis-server", "tansu"):
        assert server in commands, f"no {server} among {commands}"
    ports = first_up.ports()

    code, seconds = first_up.stop(signal.SIGTERM)

    assert_stopped(first_up, code, seconds)
    for port in ports:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


@pytest.mark.slow
def test_restart_keeps_the_data_and_ctrl_c_stops_it(
    first_up: Up, registered: tuple[httpx.Response, str]
) -> None:
    if first_up.process is not None and first_up.process.poll() is None:
        first_up.stop(signal.SIGTERM)  # when run alone
    response, _ = registered
    assert response.status_code == 201, response.text
    up = Up(first_up.data_dir)
    try:
        up.start().wait_up()
        token = admin_token(up)

        def crm() -> list[dict[str, Any]] | None:
            items = listed(up, token)
            return items if any(item["name"] == "crm" for item in items) else None

        eventually(crm, "the source registered before the restart")

        def caught_up() -> dict[str, Any] | None:
            report = status(up)
            lags = [p["lag"] for p in report["projections"].values()]
            return report if lags and all(lag == 0 for lag in lags) else None

        report = eventually(caught_up, "lag 0 for every projection")
        assert report["relay"]["lag"] == 0, report

        code, seconds = up.stop(signal.SIGINT, group=True)

        assert_stopped(up, code, seconds)
    finally:
        up.kill()


@pytest.mark.slow
def test_a_killed_up_stops_its_components_and_the_next_up_recovers(tmp_path: Path) -> None:
    first = Up(tmp_path / "killed")
    second = Up(first.data_dir)
    try:
        first.start().wait_up()
        token = admin_token(first)
        with client(first, token) as api:
            assert api.post(
                "/api/v1/data-sources",
                json={"name": "survivor", "kind": "csv", "connection": {"path": "/d"}},
            ).is_success
        components = [int(pid) for pid in first.runtime()["components"].values()]
        assert first.process is not None
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)

        def components_gone() -> bool | None:
            states = [_stat(pid) for pid in components]
            return all(state is None or state[0] == "Z" for state in states) or None

        eventually(components_gone, "components to stop after their supervisor died", 30)
        # The embedded servers it left behind are stopped by the next `up` on this folder.
        second.start().wait_up()
        eventually(
            lambda: any(i["name"] == "survivor" for i in listed(second, token)) or None,
            "the data written before the kill",
        )
        code, seconds = second.stop(signal.SIGTERM)
        assert_stopped(second, code, seconds)
        assert not [p for p in first.seen if alive(p)], "the killed run's processes remain"
    finally:
        second.kill()
        first.kill()


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "nothing-here", free_port())

    result = datawave(env, "status")
    assert result.returncode != 0
    assert one_line_error(result.stderr).startswith("datawave: error: "), result.stderr
    assert result.stdout == ""

    # Usage errors too: one line naming the problem and where help is, exit 2.
    result = datawave(env, "token", "--subject", "t", "--role", "nonsense")
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert line.startswith("datawave token: error: argument --role: invalid choice: 'nonsense'")
    assert line.endswith("(see datawave token --help)")
    assert result.stdout == ""
    for usage_error in (("projections", "rebuild", "--bogus"), ("model",), ()):
        result = datawave(env, *usage_error)
        assert result.returncode == 2, usage_error
        assert one_line_error(result.stderr).startswith("datawave"), usage_error

    # No install here: a key made up now would sign tokens no running system accepts.
    result = datawave(env, "token", "--subject", "t", "--role", "admin")
    assert result.returncode == 1
    assert one_line_error(result.stderr).startswith("datawave: error: no DataWave install in")
    assert result.stdout == ""
    assert not (tmp_path / "nothing-here" / "jwt.secret").exists()

    # An install whose servers are gone (a `datawave up` killed with -9 leaves runtime.json).
    gone = tmp_path / "gone"
    gone.mkdir()
    dead = f"127.0.0.1:{free_port()}"
    runtime = {
        "postgres": {"url": f"postgresql://postgres@{dead}/datawave"},
        "redis": {"url": f"redis://{dead}/0"},
        "kafka": {"bootstrap": dead},
    }
    (gone / "runtime.json").write_text(json.dumps(runtime))
    for command in (("rebuild", "--all"), ("replay",), ("parked",)):
        result = datawave(clean_env(gone, free_port()), "projections", *command)
        assert result.returncode == 1, command
        assert one_line_error(result.stderr).startswith("datawave: error: "), command
    for damaged in ("{not json", "{}", "[]", '{"api": {}}'):
        (gone / "runtime.json").write_text(damaged)
        for command in (("projections", "parked"), ("status",)):
            result = datawave(clean_env(gone, free_port()), *command)
            assert f"{gone / 'runtime.json'} is not what `datawave up` writes" in one_line_error(
                result.stderr
            ), (damaged, command)

    # Settings: the line names the variable; a configured URL's password never shows, and
    # nothing starts (or is created) before the URLs are checked.
    fresh = tmp_path / "never-created"
    for name, value, says in (
        ("DATAWAVE_DATABASE_URL", "mysql://u:CanaryMy1@127.0.0.1:1/x", "must start with"),
        ("DATAWAVE_DATABASE_URL", "postgresql://u:CanaryBr3@[::1/x", "is not a valid URL"),
        ("DATAWAVE_REDIS_URL", "http://u:CanaryRd4@127.0.0.1:1/0", "one of redis://"),
        ("DATAWAVE_API_PORT", "abc", "valid integer"),
        ("DATAWAVE_API_PORT", "70000", "less than or equal to 65535"),
        ("DATAWAVE_LOG_LEVEL", "bogus", "'debug', 'info'"),
    ):
        result = datawave({**clean_env(fresh, free_port()), name: value}, "up")
        assert result.returncode == 1, (name, value)
        line = one_line_error(result.stderr)
        assert line.startswith(f"datawave: error: {name}") and says in line, line
        assert "Canary" not in result.stderr + result.stdout
        assert not fresh.exists()
