"""What every connector offers the edge agent: the tables of a source, streamed, and a bounded
random sample of each one's rows. Raw values stay inside the agent's process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

# A sample is at most this many rows unless the job asks otherwise (issue 3: default 1,000).
DEFAULT_SAMPLE_ROWS = 1000


@dataclass(frozen=True)
class Column:
    """One column as the source declares it."""

    name: str
    data_type: str  # the source's own type name, lower case, e.g. "character varying(100)"
    nullable: bool


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    references: str  # the referenced table's qualified name
    referenced_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table, view or file, as discovered.

    `qualified_name` follows API.md: `schema.table` where the database has schemas, `table` for
    SQLite, the path relative to the source root for files.
    """

    qualified_name: str
    kind: str  # "table" | "view" | "file"
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    row_estimate: int | None = None
    # Connector-private locator (e.g. quoted schema and name, or an absolute file path).
    locator: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Sample:
    """Up to `rows` randomly chosen rows, values in the table's column order, and the
    distinct-ratio estimates the source itself keeps (column name -> 0..1), where it has any.
    `row_count` is the table's exact size where sampling had to count it anyway (CSV files)."""

    rows: list[tuple[object, ...]]
    distinct_ratios: dict[str, float] = field(default_factory=dict)
    row_count: int | None = None


class Connector(Protocol):
    """One source, opened with its clear-text connection settings."""

    def tables(self) -> Iterator[Table]:
        """Every table, view and file, one at a time (memory stays flat however many there are)."""
        ...

    def sample(self, table: Table, rows: int = DEFAULT_SAMPLE_ROWS) -> Sample:
        """A bounded random sample, using the source's own sampling so a huge table costs no
        more than a small one. Raises TableUnreadableError if the agent may not read it."""
        ...

    def close(self) -> None: ...


class ConnectorError(Exception):
    """A failure the user can act on; `reason` names host:port, user or table, never a secret."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SourceUnreachableError(ConnectorError):
    """Connection refused, timed out or reset: worth retrying for a while."""


class AuthenticationFailedError(ConnectorError):
    """The source refused the credentials: retrying will not help."""


class SourceNotFoundError(ConnectorError):
    """The file, folder or database does not exist (any more)."""


class TableUnreadableError(ConnectorError):
    """The agent may not read this table; the rest of the source is still cataloged."""

    def __init__(self, table: str, reason: str) -> None:
        super().__init__(reason)
        self.table = table
