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
class RequestScan:
    data_source_id: UUID
    stages: list[str] | None = None  # None: every stage
    policy_ids: list[UUID] | None = None  # None: every built-in pack in force


@dataclass(frozen=True)
class CancelScan:
    workflow_id: UUID


@dataclass(frozen=True)
class RollBackScan:
    workflow_id: UUID


@dataclass(frozen=True)
class CreatePolicy:
    name: str
    rules: list[dict[str, Any]]
    description: str = ""


@dataclass(frozen=True)
class ChangePolicy:
    policy_id: UUID
    name: str | None = None
    description: str | None = None
    rules: list[dict[str, Any]] | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RetirePolicy:
    policy_id: UUID
    reason: str = ""


@dataclass(frozen=True)
class OverrideClassification:
    asset_id: UUID
    column: str
    infotype: str | None  # None: the steward says the column holds nothing sensitive
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class WithdrawOverride:
    """Take a steward's decision on a column back: the automatic one applies again."""

    asset_id: UUID
    column: str
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


def receipt_of(subject: Any, recordings: list[Any]) -> Receipt:
    """The receipt for `subject` after a save that stored `recordings` (of it and others)."""
    position = max(
        (r.notification.id for r in recordings if r.domain_event.originator_id == subject.id),
        default=0,
    )
    return Receipt(aggregate_id=subject.id, version=subject.version, position=position)


@dataclass(frozen=True)
class DiscoveryAccepted:
    """A discovery or scan was requested: follow it by its workflow id."""

    workflow_id: str
    receipt: Receipt
