"""Request and response bodies of the public HTTP contract."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["postgresql", "mysql", "sqlite", "csv", "parquet"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterDataSourceBody(Body):
    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    connection: dict[str, str]
    owner: str | None = Field(default=None, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=100)


class UpdateDataSourceBody(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    connection: dict[str, str] | None = None
    owner: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = Field(default=None, max_length=100)
    expected_version: int | None = Field(default=None, ge=1)


class DecommissionDataSourceBody(Body):
    reason: str | None = Field(default=None, max_length=1000)
    expected_version: int | None = Field(default=None, ge=1)


class DiscoverBody(Body):
    data_source_id: UUID


class DiscoveryStarted(BaseModel):
    """A discovery was accepted: follow it by its workflow id (and the source's last discovery)."""

    workflow_id: str
    data_source_id: str
    consistency_token: str


class OverrideClassificationBody(Body):
    """A steward's decision: an infotype id, or null for "holds nothing sensitive"."""

    infotype: str | None = Field(max_length=100)
    reason: str = Field(min_length=1, max_length=1000)
    expected_version: int | None = Field(default=None, ge=1)


class CustomRuleBody(Body):
    """A custom classification rule (domain/rule_sets.py checks it)."""

    infotype: str = Field(max_length=100)
    name_pattern: str | None = Field(default=None, max_length=500)
    value_pattern: str | None = Field(default=None, max_length=500)
    validator: str | None = Field(default=None, max_length=20)
    confidence: float = Field(default=0.9, gt=0, le=1)
    min_share: float = Field(default=0.8, gt=0, le=1)


class ConsistencyToken(BaseModel):
    aggregate_id: str
    version: int
    position: int


class WriteAccepted(BaseModel):
    """What every write returns: the new version and the token to read it back."""

    id: str
    version: int
    position: int
    consistency_token: str
