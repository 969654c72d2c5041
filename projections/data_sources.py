"""The data-source read model: how each event changes a row, and how the row is read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from projections.rows import event_name, stamp

PROJECTION = "data_sources"

_ROW_FIELDS = ("name", "connection", "owner", "tags")
_DISCOVERY_STATUS = {
    "DiscoveryRequested": "requested",
    "DiscoveryCompleted": "completed",
    "DiscoveryFailed": "failed",
}


def apply_event(row: dict[str, Any] | None, envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The row after one event (envelope as published); None when the event creates nothing."""
    name = event_name(envelope)
    data: dict[str, Any] = envelope["data"]
    common = stamp(envelope)
    if name == "Registered":
        return {
            "id": envelope["subject"],
            "name": data["name"],
            "kind": data["kind"],
            "connection": data["connection"],
            "owner": data.get("owner"),
            "tags": data.get("tags") or [],
            "status": "active",
            "last_discovery_status": None,
            "last_discovery_at": None,
            "last_discovery_workflow_id": None,
            "last_discovery_reason": None,
            "last_discovery_summary": None,
            "created_at": envelope["time"],
            **common,
        }
    if row is None:
        return None
    if name == "Updated":
        changes = {k: v for k, v in data["changes"].items() if k in _ROW_FIELDS}
        return {**row, **changes, **common}
    if name == "Decommissioned":
        return {**row, "status": "decommissioned", **common}
    if name in _DISCOVERY_STATUS:  # discoveries before scan workflows ran them
        return {**row, **_last_discovery(envelope, _DISCOVERY_STATUS[name]), **common}
    if name == "ScanRequested" and "discover" in data["stages"]:
        return {**row, **_last_discovery(envelope, "requested"), **common}
    if name == "ScanEnded" and row["last_discovery_workflow_id"] == data["workflow_id"]:
        return {**row, **_last_discovery(envelope, data["status"]), **common}
    # An event type this projection does not know yet still advances the version.
    return {**row, **common}


def _last_discovery(envelope: dict[str, Any], status: str) -> dict[str, Any]:
    """A scan that discovers is the source's discovery: when and how it last went."""
    data: dict[str, Any] = envelope["data"]
    return {
        "last_discovery_status": status,
        "last_discovery_at": envelope["time"],
        "last_discovery_workflow_id": data["workflow_id"],
        "last_discovery_reason": data.get("reason"),
        "last_discovery_summary": data.get("summary"),
    }


@dataclass(frozen=True)
class Page:
    """One page of a listing and the opaque cursor of the next, if any."""

    items: list[dict[str, Any]]
    next_cursor: str | None


class DataSourceView(Protocol):
    """Reads of the data-source read model, whatever stores it."""

    async def get(self, data_source_id: UUID, min_version: int = 0) -> dict[str, Any] | None: ...

    async def classification_counts(self, data_source_id: UUID) -> dict[str, dict[str, int]]: ...

    async def list(self, *, limit: int, cursor: str | None, status: str | None) -> Page: ...
