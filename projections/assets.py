"""The asset read model: how each catalog event changes an asset's row, and how it is read."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from projections.data_sources import Page
from projections.rows import event_name, stamp

PROJECTION = "assets"

# A column's classification as API.md shows it, with the rule-set version and the model version
# behind an automatic decision; null until a classification says otherwise.
CLASSIFICATION = {
    "infotype": None,
    "category": None,
    "confidence": None,
    "method": None,
    "evidence": None,
    "rule_set": None,
    "model": None,
}


# The events that set a column's classification: each carries the decision now in force.
DECISIONS = frozenset(
    {
        "ColumnClassified",
        "ClassificationOverridden",
        "ClassificationReverted",
        "ClassificationOverrideWithdrawn",
    }
)


def _column(column: dict[str, Any], profile: Any) -> dict[str, Any]:
    return {**column, **CLASSIFICATION, "profile": profile}


def _columns(columns: list[dict[str, Any]], profiles: dict[str, Any]) -> list[dict[str, Any]]:
    return [_column(c, profiles.get(c["name"])) for c in columns]


def _kept_decisions(
    row: dict[str, Any] | None, columns: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A returning table's columns, with the steward's decisions they had before (the asset
    keeps them across its absence)."""
    manual = {
        c["name"]: {k: c.get(k) for k in CLASSIFICATION}
        for c in (row or {}).get("columns", [])
        if c.get("method") == "manual"
    }
    return [{**c, **manual[c["name"]]} if c["name"] in manual else c for c in columns]


def _replace(columns: list[dict[str, Any]], name: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**c, **changes} if c["name"] == name else c for c in columns]


def apply_event(row: dict[str, Any] | None, envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The row after one event (envelope as published); None when the event creates nothing."""
    name = event_name(envelope)
    data: dict[str, Any] = envelope["data"]
    common = stamp(envelope)
    if name in ("Discovered", "Rediscovered"):
        base = row or {
            "id": envelope["subject"],
            "data_source_id": data["data_source_id"],
            "qualified_name": data["qualified_name"],
            "created_at": envelope["time"],
        }
        return {
            **base,
            "kind": data["kind"],
            "columns": _kept_decisions(row, _columns(data["columns"], data["profiles"])),
            "primary_key": data["keys"]["primary_key"],
            "foreign_keys": data["keys"]["foreign_keys"],
            "row_estimate": data["row_estimate"],
            "status": "active",
            **common,
        }
    if row is None:
        return None
    columns: list[dict[str, Any]] = row["columns"]
    if name == "ColumnAdded":
        return {**row, "columns": [*columns, _column(data["column"], data["profile"])], **common}
    if name == "ColumnRemoved":
        return {**row, "columns": [c for c in columns if c["name"] != data["name"]], **common}
    if name == "ColumnTypeChanged":
        return {
            **row,
            "columns": _replace(columns, data["name"], data_type=data["new_type"]),
            **common,
        }
    if name == "ColumnNullabilityChanged":
        return {
            **row,
            "columns": _replace(columns, data["name"], nullable=data["nullable"]),
            **common,
        }
    if name == "KeysChanged":
        keys = data["keys"]
        return {
            **row,
            "primary_key": keys["primary_key"],
            "foreign_keys": keys["foreign_keys"],
            **common,
        }
    if name in DECISIONS:
        decided = {k: data["classification"].get(k) for k in CLASSIFICATION}
        return {**row, "columns": _replace(columns, data["name"], **decided), **common}
    if name == "StatisticsUpdated":
        profiles: dict[str, Any] = data["profiles"]
        updated = [
            {**c, "profile": profiles[c["name"]]} if c["name"] in profiles else c for c in columns
        ]
        return {**row, "columns": updated, "row_estimate": data["row_estimate"], **common}
    if name == "Decommissioned":
        return {**row, "status": "decommissioned", **common}
    return {**row, **common}


class AssetView(Protocol):
    """Reads of the asset read model."""

    async def get(self, asset_id: UUID) -> dict[str, Any] | None: ...

    async def list(
        self,
        *,
        limit: int,
        cursor: str | None,
        data_source_id: UUID | None,
        q: str | None,
        infotype: str | None,
        category: str | None,
    ) -> Page: ...
