"""The scan-workflow read model: each workflow with its stages' status, attempts and times, as
the API shows it while the workflow runs."""

from __future__ import annotations

from typing import Any

from projections.rows import event_name, stamp

PROJECTION = "scan_workflows"

_ENDED = {"Completed": "completed", "Failed": "failed", "Cancelled": "cancelled"}


def _stage(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "status": "pending",
        "attempts": 0,
        "started_at": None,
        "completed_at": None,
        "deadline": None,
        "retry_at": None,
        "reason": None,
        "summary": None,
    }


def _with_stage(row: dict[str, Any], name: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**s, **changes} if s["name"] == name else s for s in row["stages"]]


def apply_event(row: dict[str, Any] | None, envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The row after one event (envelope as published); None when the event creates nothing."""
    name = event_name(envelope)
    data: dict[str, Any] = envelope["data"]
    common = stamp(envelope)
    if name == "Requested":
        return {
            "id": envelope["subject"],
            "data_source_id": data["data_source_id"],
            "status": "pending",
            "stages": [_stage(s) for s in data["stages"]],
            "policy_ids": data["policy_ids"],
            "reason": None,
            "cancel_requested": False,
            "rolled_back": None,
            "requested_by": envelope.get("actor"),
            "created_at": envelope["time"],
            "ended_at": None,
            **common,
        }
    if row is None:
        return None
    changed: dict[str, Any] = {}
    if name == "StageStarted":
        changed = {
            "status": "running",
            "stages": _with_stage(
                row,
                data["stage"],
                status="running",
                attempts=data["attempt"],
                started_at=data["started_at"],
                deadline=data["deadline"],
                completed_at=None,
                retry_at=None,
                reason=None,
            ),
        }
    elif name == "StageCompleted":
        changed["stages"] = _with_stage(
            row,
            data["stage"],
            status="completed",
            completed_at=data["completed_at"],
            summary=data["summary"],
        )
    elif name == "StageFailed":
        changed["stages"] = _with_stage(
            row,
            data["stage"],
            status="failed",
            completed_at=data["failed_at"],
            reason=data["reason"],
        )
    elif name == "StageRetried":
        changed["stages"] = _with_stage(
            row, data["stage"], status="waiting", retry_at=data["retry_at"], completed_at=None
        )
    elif name == "CancelRequested":
        changed["cancel_requested"] = True
    elif name in _ENDED:
        changed = {
            "status": _ENDED[name],
            "reason": data.get("reason"),
            "ended_at": envelope["time"],
        }
        if name == "Cancelled":
            changed["reason"] = "cancelled"
    elif name == "RolledBack":
        changed["rolled_back"] = {**data["reverted"], "at": envelope["time"]}
    return {**row, **changed, **common}
