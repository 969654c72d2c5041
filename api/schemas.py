"""Request and response bodies of the public HTTP contract."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Kind = Literal["postgresql", "mysql", "sqlite", "csv", "parquet"]
Tag = Annotated[str, StringConstraints(max_length=100)]
# The version the client last read, for optimistic concurrency: a JSON integer, never "2" or true.
ExpectedVersion = Annotated[int | None, Field(ge=1, strict=True)]
# A share or a confidence: a JSON number in (0, 1], never "0.9" or true.
Share = Annotated[float, Field(gt=0, le=1, strict=True)]
# A DSN or a file path; the keys are checked against the kind by the domain.
Connection = Annotated[
    dict[
        Annotated[str, StringConstraints(max_length=50)],
        Annotated[str, StringConstraints(max_length=4096)],
    ],
    Field(max_length=10),
]


def _holds_nul(value: Any) -> bool:
    # A loop, not recursion: a body may nest deeper than Python's recursion limit.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending += item.keys()
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return False


class Body(BaseModel):
    """Every request body: unknown fields refused, and no NUL character in any text, which no
    read model (PostgreSQL text) could hold."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _holds_nul(data):
            raise ValueError("text must not contain the NUL character (U+0000)")
        return data


class RegisterDataSourceBody(Body):
    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    connection: Connection
    owner: str | None = Field(default=None, max_length=200)
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class UpdateDataSourceBody(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    connection: Connection | None = None
    owner: str | None = Field(default=None, max_length=200)
    tags: list[Tag] | None = Field(default=None, max_length=100)
    expected_version: ExpectedVersion = None


class DecommissionDataSourceBody(Body):
    reason: str | None = Field(default=None, max_length=1000)
    expected_version: ExpectedVersion = None


class DiscoverBody(Body):
    data_source_id: UUID


class ScanStarted(BaseModel):
    """A scan (or a discovery, which is a scan of the first stages) was accepted: follow it by
    its workflow id."""

    workflow_id: str
    data_source_id: str
    consistency_token: str


class ExecuteScanBody(Body):
    """A scan of one source: the stages to run (all by default, in their one order) and the
    policies to evaluate (every built-in pack in force by default)."""

    data_source_id: UUID
    stages: list[str] | None = Field(default=None, max_length=10)
    policy_ids: list[UUID] | None = Field(default=None, max_length=100)


class PolicyBody(Body):
    """A compliance policy: a name and declarative rules (domain/policies.py checks them)."""

    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    rules: list[dict[str, Any]] = Field(max_length=200)


class ChangePolicyBody(Body):
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    rules: list[dict[str, Any]] | None = Field(default=None, max_length=200)
    expected_version: ExpectedVersion = None


class RetirePolicyBody(Body):
    reason: str = Field(default="", max_length=1000)


class OverrideClassificationBody(Body):
    """A steward's decision: an infotype id, or null for "holds nothing sensitive"."""

    infotype: str | None = Field(max_length=100)
    reason: str = Field(min_length=1, max_length=1000)
    expected_version: ExpectedVersion = None


class WithdrawOverrideBody(Body):
    """Why a steward's decision is taken back."""

    reason: str = Field(min_length=1, max_length=1000)
    expected_version: ExpectedVersion = None


class CustomRuleBody(Body):
    """A custom classification rule (domain/rule_sets.py checks it)."""

    infotype: str = Field(max_length=100)
    name_pattern: str | None = Field(default=None, max_length=500)
    value_pattern: str | None = Field(default=None, max_length=500)
    validator: str | None = Field(default=None, max_length=20)
    confidence: Share = 0.9
    min_share: Share = 0.8


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
