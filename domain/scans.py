"""The scans context: a ScanWorkflow is one run of ordered stages over one data source.

The workflow decides what happens next (`next_step`) from its own state and the time it is
given; a process manager carries the steps out and reports back. Every report names the stage
and attempt it is about, so a late or repeated report (at-least-once delivery, a worker that
restarted) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidCommandError
from domain.meta import EventMeta

STAGES = ("discover", "profile", "classify", "evaluate", "report")
EDGE_STAGES = frozenset({"discover", "profile", "classify"})  # run near the data, by an agent
DISCOVERY_STAGES = ["discover", "profile", "classify"]  # what `POST .../discover` runs

PENDING, RUNNING, COMPLETED, FAILED, CANCELLED = (
    "pending",
    "running",
    "completed",
    "failed",
    "cancelled",
)
WAITING = "waiting"  # a stage between a transient failure and its next attempt
ENDED = frozenset({COMPLETED, FAILED, CANCELLED})
SOURCE_GONE = "the data source was decommissioned"


def validate_stages(stages: list[str] | None) -> list[str]:
    """The stages to run, in the one order they can run in; all of them when none are named."""
    if stages is None:
        return list(STAGES)
    if not stages:
        raise InvalidCommandError("stages", "must name at least one stage")
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise InvalidCommandError(
            "stages", f"{unknown[0]!r} is not a stage; stages are {', '.join(STAGES)}"
        )
    if len(set(stages)) != len(stages):
        raise InvalidCommandError("stages", "names a stage twice")
    if "report" in stages and "evaluate" not in stages:
        raise InvalidCommandError("stages", "a report needs the evaluate stage before it")
    return [s for s in STAGES if s in stages]


@dataclass(frozen=True)
class RetryPolicy:
    """How often a stage is tried, how long the waits between tries grow, when a try is over."""

    max_attempts: int = 3
    backoff_seconds: float = 2.0
    timeout_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.backoff_seconds < 0 or self.timeout_seconds <= 0:
            raise InvalidCommandError("retry", "needs attempts >= 1, backoff >= 0, timeout > 0")

    def backoff(self, attempt: int) -> timedelta:
        """The wait after failed attempt `attempt`: doubling each time."""
        return timedelta(seconds=self.backoff_seconds * 2 ** (attempt - 1))


@dataclass(frozen=True)
class Step:
    """What the process manager should do next: `start` a stage's attempt, `run` an in-process
    stage that is marked running (after a restart, nobody may be running it), `expire` an
    attempt past its deadline, or `cancel` the workflow between stages."""

    action: str
    stage: str | None = None
    attempt: int = 0


class ScanWorkflow(Aggregate):
    """One scan of one data source: ordered stages, each with status, attempts and times."""

    @staticmethod
    def create_id(meta: EventMeta, **_: Any) -> UUID:
        """A workflow's id is the correlation id every event it causes carries."""
        return UUID(meta["correlation_id"])

    @event("Requested")
    def __init__(
        self,
        data_source_id: UUID,
        stages: list[str],
        policy_ids: list[str] | None,
        retry: dict[str, Any],
        meta: EventMeta,
    ) -> None:
        self.data_source_id = data_source_id
        self.policy_ids = policy_ids
        self.retry = RetryPolicy(**retry)
        self.status = PENDING
        self.stages: dict[str, dict[str, Any]] = {
            name: {
                "name": name,
                "status": PENDING,
                "attempts": 0,
                "started_at": None,
                "completed_at": None,
                "deadline": None,
                "retry_at": None,
                "summary": None,
                "reason": None,
            }
            for name in stages
        }
        self.cancel_requested = False
        self.rolled_back = False
        self.reason: str | None = None

    @classmethod
    def request(
        cls,
        data_source_id: UUID,
        stages: list[str] | None,
        policy_ids: list[str] | None,
        retry: RetryPolicy,
        meta: EventMeta,
    ) -> ScanWorkflow:
        """A new workflow; nothing runs until the process manager takes its first step."""
        return cls(
            data_source_id=data_source_id,
            stages=validate_stages(stages),
            policy_ids=policy_ids,
            retry={
                "max_attempts": retry.max_attempts,
                "backoff_seconds": retry.backoff_seconds,
                "timeout_seconds": retry.timeout_seconds,
            },
            meta=meta,
        )

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def current_stage(self) -> str | None:
        """The first stage not completed yet."""
        return next((n for n, s in self.stages.items() if s["status"] != COMPLETED), None)

    def summary_of(self, stage: str) -> dict[str, Any] | None:
        found = self.stages.get(stage)
        return None if found is None else found["summary"]

    def discovery_summary(self) -> dict[str, Any] | None:
        """What the edge stages found, together: tables seen, tables retired, and each table
        a stage could not read (once); None if no edge stage completed."""
        done = [s["summary"] for n, s in self.stages.items() if n in EDGE_STAGES and s["summary"]]
        if not done:
            return None
        skipped: dict[str, dict[str, Any]] = {}
        for summary in done:
            for item in summary.get("skipped", []):
                skipped.setdefault(item["table"], item)
        return {
            "tables": max(summary.get("tables", 0) for summary in done),
            "removed": (self.summary_of("discover") or {}).get("removed", 0),
            "skipped": list(skipped.values()),
        }

    def next_step(self, now: datetime) -> Step | None:
        """What should happen now, or None while waiting (for an agent, a retry's time)."""
        name = self.current_stage
        if self.ended or name is None:
            return None
        stage = self.stages[name]
        if self.cancel_requested and stage["status"] != RUNNING:
            return Step("cancel")
        if stage["status"] == PENDING:
            return Step("start", name, 1)
        if stage["status"] == WAITING:
            due = now >= stage["retry_at"]
            return Step("start", name, stage["attempts"] + 1) if due else None
        if now >= stage["deadline"]:
            return Step("expire", name, stage["attempts"])
        return None if name in EDGE_STAGES else Step("run", name, stage["attempts"])

    def start_stage(
        self,
        stage: str,
        attempt: int,
        now: datetime,
        meta: EventMeta,
        job: dict[str, Any] | None = None,
        sealed_secret: str | None = None,
    ) -> bool:
        """Start an attempt of the current stage; anything else (already started, a stale
        step) is ignored. An edge stage's event carries the agent's job."""
        step = self.next_step(now)
        if step is None or (step.action, step.stage, step.attempt) != ("start", stage, attempt):
            return False
        self._stage_started(
            stage=stage,
            attempt=attempt,
            started_at=now,
            deadline=now + timedelta(seconds=self.retry.timeout_seconds),
            job=job,
            sealed_secret=sealed_secret,
            meta=meta,
        )
        return True

    @event("StageStarted")
    def _stage_started(
        self,
        stage: str,
        attempt: int,
        started_at: datetime,
        deadline: datetime,
        job: dict[str, Any] | None,
        sealed_secret: str | None,
        meta: EventMeta,
    ) -> None:
        self.status = RUNNING
        self.stages[stage] |= {
            "status": RUNNING,
            "attempts": attempt,
            "started_at": started_at,
            "deadline": deadline,
            "retry_at": None,
            "reason": None,
        }

    def running(self, stage: str, attempt: int) -> bool:
        """Whether this attempt of this stage is the one running now."""
        found = self.stages.get(stage)
        return (
            not self.ended
            and found is not None
            and found["status"] == RUNNING
            and found["attempts"] == attempt
        )

    def complete_stage(
        self, stage: str, attempt: int, summary: dict[str, Any], now: datetime, meta: EventMeta
    ) -> bool:
        """The attempt succeeded; then the next stage, or the end (or the cancel asked for)."""
        if not self.running(stage, attempt):
            return False
        self._stage_completed(
            stage=stage, attempt=attempt, completed_at=now, summary=summary, meta=meta
        )
        if self.current_stage is None:
            self._completed(completed_at=now, meta=meta)
        elif self.cancel_requested:
            self._cancelled(cancelled_at=now, meta=meta)
        return True

    @event("StageCompleted")
    def _stage_completed(
        self,
        stage: str,
        attempt: int,
        completed_at: datetime,
        summary: dict[str, Any],
        meta: EventMeta,
    ) -> None:
        self.stages[stage] |= {
            "status": COMPLETED,
            "completed_at": completed_at,
            "summary": summary,
        }

    def fail_stage(
        self,
        stage: str,
        attempt: int,
        reason: str,
        transient: bool,
        now: datetime,
        meta: EventMeta,
    ) -> bool:
        """The attempt failed: a transient failure is tried again after a growing wait, until
        the attempts run out; then, or at once for a lasting failure, the workflow fails."""
        if not self.running(stage, attempt):
            return False
        self._stage_failed(
            stage=stage,
            attempt=attempt,
            reason=reason,
            transient=transient,
            failed_at=now,
            meta=meta,
        )
        if self.cancel_requested:
            self._cancelled(cancelled_at=now, meta=meta)
        elif transient and attempt < self.retry.max_attempts:
            self._stage_retried(
                stage=stage,
                attempt=attempt + 1,
                retry_at=now + self.retry.backoff(attempt),
                reason=reason,
                meta=meta,
            )
        else:
            tries = f"after {attempt} attempt{'s' if attempt > 1 else ''}"
            self._failed(reason=f"stage {stage} failed {tries}: {reason}", failed_at=now, meta=meta)
        return True

    def expire(self, stage: str, attempt: int, now: datetime, meta: EventMeta) -> bool:
        """An attempt past its deadline counts as a transient failure."""
        running = self.running(stage, attempt) and now >= self.stages[stage]["deadline"]
        if not running:
            return False
        timeout = f"timed out after {self.retry.timeout_seconds:g} s"
        return self.fail_stage(stage, attempt, timeout, True, now, meta)

    @event("StageFailed")
    def _stage_failed(
        self,
        stage: str,
        attempt: int,
        reason: str,
        transient: bool,
        failed_at: datetime,
        meta: EventMeta,
    ) -> None:
        self.stages[stage] |= {"status": FAILED, "reason": reason, "completed_at": failed_at}

    @event("StageRetried")
    def _stage_retried(
        self, stage: str, attempt: int, retry_at: datetime, reason: str, meta: EventMeta
    ) -> None:
        self.stages[stage] |= {"status": WAITING, "retry_at": retry_at, "completed_at": None}

    @event("Completed")
    def _completed(self, completed_at: datetime, meta: EventMeta) -> None:
        self.status = COMPLETED

    @event("Failed")
    def _failed(self, reason: str, failed_at: datetime, meta: EventMeta) -> None:
        self.status = FAILED
        self.reason = reason

    def cancel(self, now: datetime, meta: EventMeta) -> None:
        """Stop the workflow: at once between stages, else when the running stage ends."""
        if self.ended:
            raise ConflictError(f"workflow {self.id} is {self.status} and cannot be cancelled")
        if self.cancel_requested:
            return
        if self.current_stage is not None and self.stages[self.current_stage]["status"] == RUNNING:
            self._cancel_requested(meta=meta)
        else:
            self._cancelled(cancelled_at=now, meta=meta)

    def cancel_between_stages(self, now: datetime, meta: EventMeta) -> bool:
        """Carry out a cancel asked for while a stage ran, once that stage is over."""
        step = self.next_step(now)
        if step is None or step.action != "cancel":
            return False
        self._cancelled(cancelled_at=now, meta=meta)
        return True

    def abandon(self, reason: str, now: datetime, meta: EventMeta) -> bool:
        """End the workflow as failed whatever it is doing (its source is gone, say); a
        running stage's late report then changes nothing."""
        if self.ended:
            return False
        self._failed(reason=reason, failed_at=now, meta=meta)
        return True

    @event("CancelRequested")
    def _cancel_requested(self, meta: EventMeta) -> None:
        self.cancel_requested = True

    @event("Cancelled")
    def _cancelled(self, cancelled_at: datetime, meta: EventMeta) -> None:
        self.status = CANCELLED
        self.reason = "cancelled"

    def roll_back(self, reverted: dict[str, Any], meta: EventMeta) -> None:
        """Record that the workflow's automatic changes were compensated; once, after it ended."""
        if not self.ended:
            raise ConflictError(
                f"workflow {self.id} is {self.status}: cancel it before rolling back"
            )
        if self.rolled_back:
            raise ConflictError(f"workflow {self.id} is already rolled back")
        self._rolled_back(reverted=reverted, meta=meta)

    @event("RolledBack")
    def _rolled_back(self, reverted: dict[str, Any], meta: EventMeta) -> None:
        self.rolled_back = True
