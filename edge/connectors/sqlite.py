"""SQLite database files, opened read-only: tables and views by name, as SQLite has no schemas.

The row estimate is the table's highest rowid (one index probe, unlike COUNT(*)); the sample of a
rowid table bigger than the sample is read from seeded random rowid ranges, so its cost follows
the sample size; WITHOUT ROWID tables, small tables and views are read with LIMIT.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from edge.connectors.base import (
    DEFAULT_SAMPLE_ROWS,
    Column,
    ConnectorError,
    ForeignKey,
    Sample,
    SourceNotFoundError,
    Table,
    TableUnreadableError,
)
from edge.connectors.files import source_path
from edge.connectors.sampling import Row, key_range_sample, seed_for

BUSY_TIMEOUT_SECONDS = 10.0  # how long to wait for a writer's lock before giving up
_LISTING_SQL = (
    "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"
    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
)


def connect(connection: dict[str, str]) -> SqliteConnector:
    """A read-only connection to the database file in `connection["path"]`."""
    path = source_path(connection)
    if not path.is_file():
        raise SourceNotFoundError(f"not a SQLite database file: {path}")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        database = sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise _source_error(path, error) from None
    try:
        database.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        database.close()  # not a database we can read: do not leave it open
        raise _source_error(path, error) from None
    return SqliteConnector(database)


class SqliteConnector:
    """One SQLite database file."""

    def __init__(self, database: sqlite3.Connection) -> None:
        self.database = database

    def tables(self) -> Iterator[Table]:
        try:
            for name, kind in self.database.execute(_LISTING_SQL):
                yield self._describe(name, kind)
        except sqlite3.Error as error:
            raise ConnectorError(f"cannot list the tables of the database: {error}") from None

    def sample(self, table: Table, rows: int = DEFAULT_SAMPLE_ROWS) -> Sample:
        selected = ", ".join(quoted(column.name) for column in table.columns) or "NULL"
        source = quoted(table.locator[0])
        try:
            if table.kind == "table" and (table.row_estimate or 0) > rows:
                return Sample(self._rowid_sample(table, selected, source, rows))
            query = f"SELECT {selected} FROM {source} LIMIT ?"  # noqa: S608 - quoted names
            return Sample([tuple(row) for row in self.database.execute(query, (rows,))])
        except sqlite3.Error as error:
            reason = f"cannot read table {table.qualified_name}: {error}"
            raise TableUnreadableError(table.qualified_name, reason) from None

    def close(self) -> None:
        self.database.close()

    def _describe(self, name: str, kind: str) -> Table:
        """A table's columns and keys; one whose description fails is listed without them."""
        try:
            info = self._pragma("table_xinfo", name)
            foreign = self._pragma("foreign_key_list", name)
        except sqlite3.Error:
            return Table(name, kind, (), locator=(name,))
        columns = tuple(_column(row, info) for row in info if row[6] in (0, 2, 3))
        primary_key = tuple(row[1] for row in sorted(info, key=lambda row: row[5]) if row[5])
        return Table(
            qualified_name=name,
            kind=kind,
            columns=columns,
            primary_key=primary_key,
            foreign_keys=self._foreign_keys(foreign),
            row_estimate=self._highest_rowid(name) if kind == "table" else None,
            locator=(name,),
        )

    def _pragma(self, pragma: str, table: str) -> list[tuple[Any, ...]]:
        return list(self.database.execute(f"PRAGMA {pragma}({quoted(table)})"))

    def _foreign_keys(self, rows: list[tuple[Any, ...]]) -> tuple[ForeignKey, ...]:
        """PRAGMA foreign_key_list rows (id, seq, table, from, to, ...) grouped per key; a
        missing `to` means the referenced table's primary key."""
        keys: dict[int, list[tuple[Any, ...]]] = {}
        for row in sorted(rows, key=lambda row: (row[0], row[1])):
            keys.setdefault(row[0], []).append(row)
        found = []
        for parts in keys.values():
            parent = str(parts[0][2])
            targets = [part[4] for part in parts]
            if any(target is None for target in targets):
                targets = [row[1] for row in self._pragma("table_info", parent) if row[5]]
            found.append(
                ForeignKey(
                    tuple(str(part[3]) for part in parts),
                    parent,
                    tuple(str(target) for target in targets),
                )
            )
        return tuple(found)

    def _highest_rowid(self, table: str) -> int | None:
        """None for a WITHOUT ROWID table, which has no rowid to probe."""
        probe = f"SELECT max(_rowid_) FROM {quoted(table)}"  # noqa: S608 - quoted name
        try:
            highest = self._integer(probe)
        except sqlite3.Error:
            return None
        return highest or 0

    def _integer(self, query: str) -> int | None:
        row = self.database.execute(query).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def _rowid_sample(self, table: Table, selected: str, source: str, rows: int) -> list[Row]:
        query = (
            f"SELECT _rowid_, {selected} FROM {source}"  # noqa: S608 - quoted names
            " WHERE _rowid_ >= ? ORDER BY _rowid_ LIMIT ?"
        )

        def read_range(start: int, limit: int) -> list[tuple[int, Row]]:
            found = self.database.execute(query, (start, limit))
            return [(row[0], tuple(row[1:])) for row in found]

        low = self._integer(f"SELECT min(_rowid_) FROM {source}") or 0  # noqa: S608 - quoted name
        high = table.row_estimate or 0
        return key_range_sample(read_range, low, high, rows, seed_for(table.qualified_name))


def _column(row: tuple[Any, ...], info: list[tuple[Any, ...]]) -> Column:
    """A table_xinfo row (cid, name, type, notnull, default, pk, hidden) as a Column. An INTEGER
    PRIMARY KEY is the rowid and can never be null, whatever notnull says."""
    declared = str(row[2] or "").lower()
    is_rowid = declared == "integer" and row[5] == 1 and sum(1 for r in info if r[5]) == 1
    return Column(str(row[1]), declared, not row[3] and not is_rowid)


def quoted(name: str) -> str:
    """An SQLite identifier in double quotes, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def _source_error(path: Path, error: sqlite3.Error) -> ConnectorError:
    text = str(error)
    if "not a database" in text:
        return SourceNotFoundError(f"not a SQLite database: {path}")
    if "unable to open" in text:
        return ConnectorError(f"cannot open SQLite database {path}: permission denied or locked")
    return ConnectorError(f"cannot open SQLite database {path}: {text}")
