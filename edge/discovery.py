"""One stage of a scan at the edge: connect, list the tables, and per table report its schema
(`discover`), its column profiles (`profile`) or its columns' classifications (`classify`).

Results leave in batches as tables are read, so memory stays flat however large the schema.
Only metadata and statistics leave; sampled values stay in this process. A source that refuses
connections is retried with exponential backoff and jitter; one that stays down opens its
circuit, so later jobs for it fail at once with the last reason instead of hammering it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import structlog
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from edge.classification.custom import CustomRules
from edge.classification.rules import Classifier, classify_table
from edge.connectors import open_connector
from edge.connectors.base import (
    DEFAULT_SAMPLE_ROWS,
    Connector,
    ConnectorError,
    Sample,
    SourceUnreachableError,
    Table,
    TableUnreadableError,
)
from edge.profiling import profile_table

log = structlog.get_logger()

BATCH_TABLES = 50
# A batch also ends at this much JSON (a wider table goes alone); compressed, it stays well under
# a broker's message limit (1 MB by default).
BATCH_BYTES = 1024 * 1024
CONNECT_ATTEMPTS = 4
BACKOFF_MAX_SECONDS = 8.0
CIRCUIT_OPEN_SECONDS = 60.0

Publish = Callable[[dict[str, Any]], None]


SAMPLING_STAGES = frozenset({"profile", "classify"})


@dataclass(frozen=True)
class DiscoveryJob:
    """One attempt of one edge stage of a scan workflow."""

    workflow_id: str
    data_source_id: str
    kind: str
    connection: dict[str, str]  # clear text: it never leaves this process
    stage: str = "discover"
    attempt: int = 1
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    rules: CustomRules = field(default_factory=lambda: CustomRules(None))  # published ones
    classifier: Classifier | None = None  # the model beside the rules, if the agent uses one


@dataclass
class Breakers:
    """One circuit per source: open after a job's retries ran out, for a while."""

    open_seconds: float = CIRCUIT_OPEN_SECONDS
    _open: dict[str, tuple[float, str]] = field(default_factory=dict)

    def refusal(self, source_id: str) -> str | None:
        """Why a job for this source is refused now, or None if it may run."""
        until, reason = self._open.get(source_id, (0.0, ""))
        if time.monotonic() >= until:
            return None
        return f"{reason} (the source stays marked down for {until - time.monotonic():.0f} s)"

    def trip(self, source_id: str, reason: str) -> None:
        self._open[source_id] = (time.monotonic() + self.open_seconds, reason)

    def reset(self, source_id: str) -> None:
        self._open.pop(source_id, None)


def observed(
    table: Table,
    profiles: dict[str, Any] | None,
    classifications: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The table as it travels to the catalog: metadata, statistics and classifications with
    their evidence; no values."""
    decided = classifications or {}
    return {
        "qualified_name": table.qualified_name,
        "kind": table.kind,
        "columns": [
            {
                "name": c.name,
                "data_type": c.data_type,
                "nullable": c.nullable,
                "profile": None if profiles is None else profiles.get(c.name),
                "classification": decided.get(c.name),
            }
            for c in table.columns
        ],
        "primary_key": list(table.primary_key),
        "foreign_keys": [
            {
                "columns": list(fk.columns),
                "references": fk.references,
                "referenced_columns": list(fk.referenced_columns),
            }
            for fk in table.foreign_keys
        ],
        "row_estimate": table.row_estimate,
    }


def failure(header: dict[str, Any], reason: str, transient: bool) -> dict[str, Any]:
    """A job's `finished` result when it failed; a transient failure may pass if retried."""
    return {
        **header,
        "type": "finished",
        "status": "failed",
        "reason": reason,
        "transient": transient,
    }


def run_discovery(job: DiscoveryJob, publish: Publish, breakers: Breakers, agent: str) -> None:
    """Run the job's stage on its source, publishing batches, then exactly one `finished`."""
    header = {
        "workflow_id": job.workflow_id,
        "data_source_id": job.data_source_id,
        "stage": job.stage,
        "attempt": job.attempt,
        "agent": agent,
    }
    refusal = breakers.refusal(job.data_source_id)
    if refusal is not None:
        publish(failure(header, refusal, transient=True))
        return
    try:
        summary = _discover_retrying(job, publish, header)
    except SourceUnreachableError as error:
        breakers.trip(job.data_source_id, error.reason)
        publish(failure(header, error.reason, transient=True))
        return
    except ConnectorError as error:
        publish(failure(header, error.reason, transient=False))
        return
    breakers.reset(job.data_source_id)
    publish({**header, "type": "finished", "status": "completed", **summary})


def _discover_retrying(
    job: DiscoveryJob, publish: Publish, header: dict[str, Any]
) -> dict[str, Any]:
    # A rerun publishes the same batches again, which the catalog ingests as no-ops.
    for attempt in Retrying(
        retry=retry_if_exception_type(SourceUnreachableError),
        wait=wait_random_exponential(multiplier=0.5, max=BACKOFF_MAX_SECONDS),
        stop=stop_after_attempt(CONNECT_ATTEMPTS),
        before_sleep=lambda state: log.warning(
            "edge_source_unreachable_retrying",
            data_source_id=job.data_source_id,
            attempt=state.attempt_number,
        ),
        reraise=True,
    ):
        with attempt:
            return _discover(job, publish, header)
    raise AssertionError("unreachable")


def _discover(job: DiscoveryJob, publish: Publish, header: dict[str, Any]) -> dict[str, Any]:
    connector = open_connector(job.kind, job.connection)
    tables = batches = 0
    skipped: list[dict[str, str]] = []
    try:
        for chunk in _chunks(_observe(connector, job), BATCH_TABLES, BATCH_BYTES):
            batches += 1
            tables += len(chunk)
            unreadable = [s for _, s in chunk if s is not None]
            skipped += unreadable
            publish(
                {
                    **header,
                    "type": "tables",
                    "batch": batches,
                    "tables": [t for t, _ in chunk],
                    "skipped": unreadable,
                }
            )
    finally:
        connector.close()
    return {"tables": tables, "batches": batches, "skipped": skipped}


Observation = tuple[dict[str, Any], dict[str, str] | None]


def _observe(connector: Connector, job: DiscoveryJob) -> Iterator[Observation]:
    """Each table observed, and why it could not be profiled if it could not."""

    def classified(table: Table, sample: Sample | None) -> dict[str, dict[str, Any]] | None:
        if job.stage != "classify":
            return None
        decided = classify_table(table, sample, job.classifier, refine=job.rules.apply)
        return {name: decision.to_dict() for name, decision in decided.items()}

    for table in connector.tables():
        if job.stage not in SAMPLING_STAGES:
            yield observed(table, None), None
            continue
        try:
            sample = connector.sample(table, job.sample_rows)
        except TableUnreadableError as error:
            skipped = {"table": table.qualified_name, "reason": error.reason}
            yield observed(table, None, classified(table, None)), skipped
            continue
        profiles = None
        if job.stage == "profile":
            profiles = {name: p.to_dict() for name, p in profile_table(table, sample).items()}
        yield observed(table, profiles, classified(table, sample)), None


def _chunks(items: Iterator[Observation], size: int, max_bytes: int) -> Iterator[list[Observation]]:
    """Batches of at most `size` tables and, unless one table alone is larger, `max_bytes` of
    JSON."""
    chunk: list[Observation] = []
    used = 0
    for item in items:
        weight = len(orjson.dumps(item[0]))
        if chunk and (len(chunk) == size or used + weight > max_bytes):
            yield chunk
            chunk, used = [], 0
        chunk.append(item)
        used += weight
    if chunk:
        yield chunk
