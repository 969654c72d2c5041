"""workflow: a full scan workflow on the 2,000-table schema of the edge issue: wall time per stage.

One run (fresh event store, broker and edge agent): the source of `bench.discovery` (N tables of
20 columns of mixed types and 1,000 rows each; 2,000 tables, --quick 200) and its system start-up,
warmed up with a full scan workflow of a one-table source, so every consumer has joined its group
and each stage has run once. Then `POST /api/v1/scan/workflow/execute` with all five stages
(discover, profile, classify: a pass each by the edge agent; evaluate: the built-in policy packs
over every column, in the worker's process manager; report), and `GET /api/v1/scan/workflows/{id}`
every 0.1 s until it ends. Per stage: its wall time and the hand-over before it, from the stage
times the API shows (the process manager's clock), its attempts and its summary; then the
compliance report's findings.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Result, Row, cpu_seconds, load_average, progress
from bench.discovery import (
    COLUMNS,
    PROCESSES,
    ROWS,
    TARGET_TABLES,
    DiscoveryClient,
    cpu_text,
    ready_system,
    wait_for,
)
from domain.scans import EDGE_STAGES, STAGES
from tests.support import Servers

NAME = "workflow"
TITLE = "a full scan workflow on the 2,000-table schema of the edge issue: wall time per stage"
FULL_TABLES = TARGET_TABLES
QUICK_TABLES = 200
EXECUTE = "/api/v1/scan/workflow/execute"
WORKFLOWS = "/api/v1/scan/workflows"
REPORTS = "/api/v1/compliance/reports"
POLL = 0.1
ENDED = frozenset({"completed", "failed", "cancelled"})
BETWEEN = "hand-over"  # CPU used while no stage shows running


@dataclass(frozen=True)
class StageFigures:
    name: str
    attempts: int
    wall_seconds: float  # started_at -> completed_at
    gap_seconds: float  # the previous stage's completed_at (or the request) -> started_at
    summary: dict[str, Any]
    cpu: dict[str, float]  # per process, over the polls that saw the stage running


@dataclass(frozen=True)
class RunFigures:
    tables: int
    generate_seconds: float
    warmup_seconds: float
    total_seconds: float  # POST -> a GET showing the workflow completed
    server_seconds: float  # the workflow's created_at -> ended_at
    seen_after_seconds: float  # the last stage's completed_at -> the GET showing it ended
    stages: list[StageFigures]
    findings: int
    counts: dict[str, Any]
    cpu: dict[str, float]  # per process, POST -> completed
    handover_cpu: dict[str, float]
    log_notes: str


def execute(run: DiscoveryClient, source_id: str) -> str:
    """Start a scan workflow of every stage; its id."""
    body = {"data_source_id": source_id, "stages": list(STAGES)}
    started = run.client.post(EXECUTE, json=body)
    if started.status_code != 202:
        raise RuntimeError(f"execute: {started.status_code} {started.text}")
    return str(started.json()["workflow_id"])


class Follower:
    """Polls one workflow until it ends: progress lines as its stages change, and the CPU each
    process used while each stage showed running."""

    def __init__(self, run: DiscoveryClient, workflow_id: str, label: str | None) -> None:
        self.run = run
        self.workflow_id = workflow_id
        self.label = label
        self.workflow: dict[str, Any] = {}
        self.statuses: dict[str, str] = {}
        processes = {n: run.system.components[n].process for n in PROCESSES}
        self.pids = {n: p.pid for n, p in processes.items() if p is not None}
        self.cpu: dict[str, dict[str, float]] = {}
        self._marks = self._cpu_now()
        self._running = BETWEEN
        self.seen_ended: datetime | None = None  # this machine's clock, as the worker's

    def _cpu_now(self) -> dict[str, float]:
        return {n: cpu_seconds(pid) for n, pid in self.pids.items()}

    def check(self) -> bool:
        got = self.run.client.get(f"{WORKFLOWS}/{self.workflow_id}")
        if got.status_code == 503:  # the read model does not hold it yet
            return False
        got.raise_for_status()
        self.workflow = got.json()
        now = self._cpu_now()
        # What was used since the last poll goes to the stage running at the last poll.
        spent = self.cpu.setdefault(self._running, dict.fromkeys(self.pids, 0.0))
        for n, seconds in now.items():
            spent[n] += seconds - self._marks[n]
        self._marks = now
        running = [s["name"] for s in self.workflow["stages"] if s["status"] == "running"]
        self._running = running[0] if running else BETWEEN
        for stage in self.workflow["stages"]:
            self._changed(stage)
        if self.workflow["status"] not in ENDED:
            return False
        self.seen_ended = datetime.now(UTC)
        return True

    def _changed(self, stage: dict[str, Any]) -> None:
        name, status = stage["name"], stage["status"]
        if self.statuses.get(name, "pending") == status:
            return
        self.statuses[name] = status
        if self.label is None or status == "pending":
            return
        if status == "completed":
            wall = seconds(stage["started_at"], stage["completed_at"])
            progress(
                NAME,
                f"{self.label}: {name} completed in {wall:.2f} s (attempt {stage['attempts']}; "
                f"{summary_text(stage['summary'])})",
            )
        else:
            reason = f": {stage['reason']}" if stage.get("reason") else ""
            progress(NAME, f"{self.label}: {name} {status} (attempt {stage['attempts']}){reason}")

    def follow(self) -> float:
        """Poll until the workflow ends; the perf_counter at which a GET showed it ended."""
        what = f"scan workflow {self.workflow_id}"
        return wait_for(what, self.check, self.run.timeout, POLL, self.run.alive)


def seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def checked(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """The workflow's stages; raises unless it completed, every stage at its first attempt."""
    stages: list[dict[str, Any]] = workflow["stages"]
    problems = []
    if workflow["status"] != "completed":
        problems.append(f"the workflow is {workflow['status']} ({workflow.get('reason')})")
    if [s["name"] for s in stages] != list(STAGES):
        problems.append(f"stages {[s['name'] for s in stages]}, expected {list(STAGES)}")
    for s in stages:
        if s["status"] != "completed" or s["attempts"] != 1:
            why = f" ({s['reason']})" if s.get("reason") else ""
            problems.append(f"stage {s['name']} {s['status']} at attempt {s['attempts']}{why}")
    if problems:
        raise RuntimeError(f"scan workflow {workflow['id']}: {'; '.join(problems)}")
    return stages


def scan(run: DiscoveryClient, source_id: str) -> None:
    """The warm-up: one full scan workflow, which must complete."""
    follower = Follower(run, execute(run, source_id), None)
    follower.follow()
    checked(follower.workflow)


def summary_text(summary: dict[str, Any] | None) -> str:
    """A stage's summary as counts: lists by their length, the report's counts by their total."""
    if not summary:
        return "no summary"
    parts = []
    for key, value in summary.items():
        if key == "ledger_version":
            continue
        if isinstance(value, list):
            value = len(value)
        elif isinstance(value, dict):
            key, value = f"{key}.total", value.get("total", "?")
        parts.append(f"{key} {value:,}" if isinstance(value, int) else f"{key} {value}")
    return ", ".join(parts)


def check_summaries(stages: list[dict[str, Any]], tables: int) -> None:
    """Every edge stage saw every table and skipped none; evaluation judged every asset."""
    for stage in stages:
        summary = stage["summary"] or {}
        if stage["name"] in EDGE_STAGES and (summary.get("tables") != tables or summary["skipped"]):
            raise AssertionError(f"unexpected {stage['name']} summary: {summary}")
        if stage["name"] == "evaluate" and summary.get("assets") != tables:
            raise AssertionError(f"unexpected evaluate summary: {summary}")


def check_report(report: dict[str, Any], stages: list[dict[str, Any]]) -> None:
    """The report's findings agree with its counts and with the evaluate and report stages."""
    summaries = {s["name"]: s["summary"] or {} for s in stages}
    figures = {
        "findings listed": len(report["findings"]),
        "counts.total": report["counts"]["total"],
        "evaluate open_findings": summaries["evaluate"].get("open_findings"),
        "report stage counts.total": summaries["report"].get("counts", {}).get("total"),
    }
    if len(set(figures.values())) != 1:
        raise AssertionError(f"the report's findings disagree: {figures}")


def log_warnings(data_dir: Path) -> str:
    """Each component's warning and error log events, counted by event."""
    found = []
    for path in sorted(data_dir.glob("*.log")):
        counts: dict[str, int] = {}
        for line in path.read_text(errors="replace").splitlines():
            if "{" not in line:
                continue
            try:
                event = json.loads(line[line.index("{") :])
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("level") in ("warning", "error", "critical"):
                key = f"{event['level']} {str(event.get('event'))[:80]}"
                counts[key] = counts.get(key, 0) + 1
        found += [f"{path.stem}: {k} x{n}" for k, n in counts.items()]
    return "; ".join(found) or "none"


def one_run(srv: Servers, tables: int) -> RunFigures:
    label = f"{tables:,} tables"
    with ready_system(srv, NAME, tables, scan) as ready:
        run, source = ready.run, ready.source_id
        progress(
            NAME,
            f"{label}: system ready and warmed up (one full scan workflow) in "
            f"{ready.warmup_seconds:.1f} s; scanning, all stages (load {load_average()})",
        )
        sent = time.perf_counter()
        workflow_id = execute(run, source)
        follower = Follower(run, workflow_id, label)
        seen_at = follower.follow()
        assert follower.seen_ended is not None
        total = seen_at - sent
        workflow = follower.workflow
        stages = checked(workflow)
        cpu = {n: sum(spent[n] for spent in follower.cpu.values()) for n in follower.pids}
        check_summaries(stages, tables)
        got = run.client.get(f"{REPORTS}/{workflow_id}")
        got.raise_for_status()
        report = got.json()
        check_report(report, stages)
        previous_end = workflow["created_at"]
        figures = []
        for stage in stages:
            figures.append(
                StageFigures(
                    name=stage["name"],
                    attempts=stage["attempts"],
                    wall_seconds=seconds(stage["started_at"], stage["completed_at"]),
                    gap_seconds=seconds(previous_end, stage["started_at"]),
                    summary=stage["summary"],
                    cpu=follower.cpu.get(stage["name"], {}),
                )
            )
            previous_end = stage["completed_at"]
        # Stopped here rather than on the way out, so the logs are flushed before they are read.
        ready.system.stop()
        result = RunFigures(
            tables=tables,
            generate_seconds=ready.generate_seconds,
            warmup_seconds=ready.warmup_seconds,
            total_seconds=total,
            server_seconds=seconds(workflow["created_at"], workflow["ended_at"]),
            seen_after_seconds=(
                follower.seen_ended - datetime.fromisoformat(previous_end)
            ).total_seconds(),
            stages=figures,
            findings=len(report["findings"]),
            counts=report["counts"],
            cpu=cpu,
            handover_cpu=follower.cpu.get(BETWEEN, {}),
            log_notes=log_warnings(ready.system.data_dir),
        )
        walls = sum(f.wall_seconds for f in figures)
        progress(
            NAME,
            f"{label}: completed in {total:.1f} s (stages {walls:.1f} s, hand-overs "
            f"{sum(f.gap_seconds for f in figures):.2f} s); {result.findings:,} findings in the "
            f"report; CPU s {cpu_text(cpu)}",
        )
        return result


def _by(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def rows_of(f: RunFigures) -> list[Row]:
    at = f"{f.tables:,} tables"
    rows = [
        Row(
            f"{at}: POST execute -> GET shows the workflow completed",
            f"{f.total_seconds:.1f} s (the workflow's own created_at -> ended_at "
            f"{f.server_seconds:.1f} s)",
        ),
    ]
    previous = "requested"
    for i, s in enumerate(f.stages, 1):
        rows += [
            Row(
                f"{at}: hand-over {previous} -> {s.name} (completed_at -> started_at)",
                f"{s.gap_seconds * 1000:,.0f} ms",
            ),
            Row(
                f"{at}: stage {i} {s.name}: wall time (started_at -> completed_at)",
                f"{s.wall_seconds:.2f} s (attempts {s.attempts}; {summary_text(s.summary)}; "
                f"CPU s {cpu_text(s.cpu) or '?'})",
            ),
        ]
        previous = s.name
    edge = [s for s in f.stages if s.name in EDGE_STAGES]
    rows += [
        Row(
            f"{at}: stages together; hand-overs together",
            f"{sum(s.wall_seconds for s in f.stages):.1f} s; "
            f"{sum(s.gap_seconds for s in f.stages) * 1000:,.0f} ms "
            f"(CPU s while no stage showed running: {cpu_text(f.handover_cpu) or '?'})",
        ),
        Row(
            f"{at}: edge stages' throughput (discover + profile + classify wall time)",
            f"{f.tables / sum(s.wall_seconds for s in edge):,.1f} tables/s, "
            f"{f.tables * COLUMNS / sum(s.wall_seconds for s in edge):,.0f} columns/s",
        ),
        Row(
            f"{at}: last stage completed -> GET shows it (projection, poll)",
            f"{f.seen_after_seconds * 1000:,.0f} ms",
        ),
        Row(
            f"{at}: findings in the report",
            f"{f.findings:,} (by policy: {_by(f.counts['by_policy']) or '-'}; by severity: "
            f"{_by(f.counts['by_severity']) or '-'})",
        ),
        Row(
            f"{at}: CPU seconds POST -> completed, per process",
            f"{cpu_text(f.cpu)} (window {f.total_seconds:.1f} s)",
        ),
        Row(
            f"{at}: system start -> warm-up scan workflow completed (excluded)",
            f"{f.warmup_seconds:.1f} s",
        ),
        Row(
            f"{at}: generation, {ROWS:,} rows per table (reference)",
            f"{f.generate_seconds:.1f} s",
        ),
    ]
    return rows


def run(srv: Servers, quick: bool) -> Result:
    tables = QUICK_TABLES if quick else FULL_TABLES
    result = Result(NAME, TITLE)
    result.notes.append(f"load average before: {load_average()}")
    figures = one_run(srv, tables)
    result.rows += rows_of(figures)
    result.notes += [
        f"{tables:,} tables of {COLUMNS} columns and {ROWS:,} rows each, generated as in "
        "discovery; api, relay, worker and edge as subprocesses, fresh event store and broker; a "
        "full scan workflow of a one-table source first (excluded), so consumer-group joins, "
        "first imports and the policy packs' installation are not measured",
        f"POST {EXECUTE} with all stages ({', '.join(STAGES)}) and the built-in policy packs; "
        f"GET {WORKFLOWS}/{{id}} every {POLL:g} s until it ended; any stage failed or retried "
        "fails the measurement",
        "stage times are the API's started_at/completed_at (set by the worker's process "
        "manager and catalog ingest): an edge stage's wall time includes handing the job to the "
        "agent through the broker and its results back; a hand-over is the previous stage's "
        "completed_at (for discover, the request) -> the next stage's started_at",
        "per-stage CPU: each process's CPU between polls, given to the stage the earlier poll "
        "showed running (so split at 0.1 s resolution)",
        f"warning and error log events, whole run including start-up: {figures.log_notes}",
        "no target: the issue sets none for per-stage times",
    ]
    if tables != FULL_TABLES:
        result.notes.append(f"quick size: the issue's schema has {FULL_TABLES:,} tables")
    return result
