"""Command messages: what a caller asks the system to do, imperative and frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class RegisterDataSource:
    name: str
    kind: str
    connection: dict[str, str]
    owner: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UpdateDataSource:
    data_source_id: UUID
    name: str | None = None
    connection: dict[str, str] | None = None
    owner: str | None = None
    tags: list[str] | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class DecommissionDataSource:
    data_source_id: UUID
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RequestDiscovery:
    data_source_id: UUID


@dataclass(frozen=True)
class OverrideClassification:
    asset_id: UUID
    column: str
    infotype: str | None  # None: the steward says the column holds nothing sensitive
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ChangeRule:
    """Add a custom rule to the draft rule set, or replace the one with this id."""

    rule_id: str
    rule: dict[str, Any]


@dataclass(frozen=True)
class RemoveRule:
    rule_id: str


@dataclass(frozen=True)
class PublishRuleSet:
    pass


@dataclass(frozen=True)
class Receipt:
    """The consistency token a write returns: wait for this version or position to read it."""

    aggregate_id: UUID
    version: int
    position: int


@dataclass(frozen=True)
class DiscoveryAccepted:
    """A discovery was requested: follow it by its workflow id."""

    workflow_id: str
    receipt: Receipt
