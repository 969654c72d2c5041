"""MySQL and MariaDB through PyMySQL: the tables and views of the database the DSN names, described
from information_schema a page of tables at a time; `qualified_name` is `database.table`, the
database playing the part of a schema.

Sampling: MySQL has no TABLESAMPLE, and `ORDER BY RAND()` reads the whole table. A table bigger
than the sample whose primary key is one integer column is read from seeded random key ranges
(`key >= start ORDER BY key LIMIT n`, each an index range read), so the cost follows the sample
size and an unchanged table gives the same rows again. Any other table, and every view, is read
with a plain LIMIT: bounded, and repeatable for unchanged data, but the first rows, not a random
choice. information_schema lists only tables the user holds some privilege on, so a table the
user may not touch at all is not cataloged; one it may see but not SELECT is, and its sample
raises TableUnreadableError.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import pymysql
from pymysql.connections import Connection

from edge.connectors.base import (
    DEFAULT_SAMPLE_ROWS,
    Column,
    ConnectorError,
    ForeignKey,
    Sample,
    Table,
)
from edge.connectors.sampling import Row, key_range_sample, seed_for
from edge.connectors.servers import (
    CONNECT_TIMEOUT_SECONDS,
    STATEMENT_TIMEOUT_SECONDS,
    TABLES_PER_PAGE,
    Endpoint,
    cannot_read,
    invalid_dsn,
    permission_denied,
    read_timed_out,
)

SCHEMES = frozenset({"mysql", "mariadb", "mysql+pymysql"})
_TABLE_KINDS = {"BASE TABLE": "table", "SYSTEM VERSIONED": "table", "VIEW": "view"}
_INTEGER_TYPES = ("tinyint", "smallint", "mediumint", "int", "bigint")

# Server error numbers (see the MySQL and MariaDB error references).
_ACCESS_DENIED_TO_DATABASE = 1044
_ACCESS_DENIED = 1045
_UNKNOWN_DATABASE = 1049
_ACCESS_DENIED_NO_PASSWORD = 1698
_TABLE_ACCESS_DENIED = 1142
_COLUMN_ACCESS_DENIED = 1143
_MARIADB_STATEMENT_TIMEOUT = 1969
_MYSQL_QUERY_TIMEOUT = 3024
_CANNOT_CONNECT = 2003
_SERVER_GONE = 2006
_SERVER_LOST = 2013

_PAGE_SQL = """
SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %s AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')
  AND CAST(TABLE_NAME AS BINARY) > CAST(%s AS BINARY)
ORDER BY CAST(TABLE_NAME AS BINARY)
LIMIT %s
"""
_COLUMNS_SQL = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN %s
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
_KEYS_SQL = """
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME,
       REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN %s
  AND (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL)
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
"""


def connect(connection: dict[str, str]) -> MysqlConnector:
    """An autocommit, read-only session with a statement timeout, on the DSN's database."""
    endpoint = _endpoint(connection.get("dsn", ""))
    try:
        session = pymysql.connect(
            host=endpoint.host,
            port=endpoint.port,
            user=endpoint.user,
            password=endpoint.password,
            database=endpoint.database,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=STATEMENT_TIMEOUT_SECONDS * 3,  # a backstop behind the server's timeout
            charset="utf8mb4",
            autocommit=True,
        )
    except pymysql.MySQLError as error:
        raise _connect_error(endpoint, error) from None
    try:
        _limit_session(session)
    except pymysql.MySQLError as error:
        session.close()  # a session that cannot be limited is not used, nor left open
        raise _connect_error(endpoint, error) from None
    return MysqlConnector(session, endpoint)


def _limit_session(session: Connection[Any]) -> None:
    """Read only, and no statement longer than the timeout (the variable differs by server)."""
    with session.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        version = str(cursor.fetchone()[0])
        if "mariadb" in version.lower():
            cursor.execute(f"SET SESSION max_statement_time = {STATEMENT_TIMEOUT_SECONDS}")
        else:
            cursor.execute(f"SET SESSION max_execution_time = {STATEMENT_TIMEOUT_SECONDS * 1000}")
        cursor.execute("SET SESSION TRANSACTION READ ONLY")


class MysqlConnector:
    """One MySQL or MariaDB database."""

    def __init__(self, session: Connection[Any], endpoint: Endpoint) -> None:
        self.session = session
        self.endpoint = endpoint

    def tables(self) -> Iterator[Table]:
        after = ""
        while page := self._query(_PAGE_SQL, (self.endpoint.database, after, TABLES_PER_PAGE)):
            yield from self._describe(page)
            after = page[-1][0]

    def sample(self, table: Table, rows: int = DEFAULT_SAMPLE_ROWS) -> Sample:
        try:
            key = _integer_key(table)
            if key is not None and (table.row_estimate or 0) > rows:
                return Sample(self._key_range_sample(table, key, rows))
            query = f"SELECT {_selected(table)} FROM {_source(table)} LIMIT %s"  # noqa: S608 - quoted names
            return Sample(self._rows(query, (rows,)))
        except pymysql.MySQLError as error:
            raise self._read_error(table, error) from None

    def close(self) -> None:
        if self.session.open:
            self.session.close()

    def _rows(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self.session.cursor() as cursor:
            cursor.execute(query, params)
            return [tuple(row) for row in cursor.fetchall()]

    def _query(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """A catalog query; information_schema answers every user, so a failure is the server's."""
        try:
            return self._rows(query, params)
        except pymysql.MySQLError as error:
            raise _server_error(self.endpoint, error) from None

    def _describe(self, page: list[tuple[Any, ...]]) -> Iterator[Table]:
        database = self.endpoint.database
        names = tuple(str(row[0]) for row in page)
        columns: dict[str, list[Column]] = {name: [] for name in names}
        for table, name, data_type, nullable in self._query(_COLUMNS_SQL, (database, names)):
            columns[str(table)].append(Column(str(name), str(data_type).lower(), nullable == "YES"))
        primary_keys: dict[str, list[str]] = {name: [] for name in names}
        foreign_keys: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for row in self._query(_KEYS_SQL, (database, names)):
            table, constraint = str(row[0]), str(row[1])
            if constraint == "PRIMARY":
                primary_keys[table].append(str(row[2]))
            else:
                foreign_keys.setdefault((table, constraint), []).append(row)
        for name, kind, estimate in page:
            yield Table(
                qualified_name=f"{database}.{name}",
                kind=_TABLE_KINDS[str(kind)],
                columns=tuple(columns[str(name)]),
                primary_key=tuple(primary_keys[str(name)]),
                foreign_keys=_foreign_keys(foreign_keys, str(name)),
                row_estimate=int(estimate) if estimate is not None and kind != "VIEW" else None,
                locator=(database, str(name)),
            )

    def _key_range_sample(self, table: Table, key: str, rows: int) -> list[Row]:
        quoted_key, source = quoted(key), _source(table)
        bounds = self._rows(f"SELECT MIN({quoted_key}), MAX({quoted_key}) FROM {source}", ())  # noqa: S608 - quoted names
        low, high = bounds[0]
        if low is None or high is None:
            return []
        query = (
            f"SELECT {quoted_key}, {_selected(table)} FROM {source}"  # noqa: S608 - quoted names
            f" WHERE {quoted_key} >= %s ORDER BY {quoted_key} LIMIT %s"
        )

        def read_range(start: int, limit: int) -> list[tuple[int, Row]]:
            return [(int(row[0]), row[1:]) for row in self._rows(query, (start, limit))]

        seed = seed_for(table.qualified_name)
        return key_range_sample(read_range, int(low), int(high), rows, seed)

    def _read_error(self, table: Table, error: pymysql.MySQLError) -> ConnectorError:
        code = _code(error)
        if code in (_TABLE_ACCESS_DENIED, _COLUMN_ACCESS_DENIED):
            return permission_denied(table.qualified_name)
        if code in (_MARIADB_STATEMENT_TIMEOUT, _MYSQL_QUERY_TIMEOUT):
            return read_timed_out(table.qualified_name)
        if isinstance(error, pymysql.OperationalError | pymysql.InterfaceError):
            return _server_error(self.endpoint, error)
        return cannot_read(table.qualified_name, self.endpoint.told(error))


def _foreign_keys(
    found: dict[tuple[str, str], list[tuple[Any, ...]]], table: str
) -> tuple[ForeignKey, ...]:
    """KEY_COLUMN_USAGE rows of one table's foreign keys, one ForeignKey per constraint."""
    keys = []
    for (owner, _), parts in sorted(found.items()):
        if owner == table:
            columns = tuple(str(part[2]) for part in parts)
            references = f"{parts[0][3]}.{parts[0][4]}"
            keys.append(ForeignKey(columns, references, tuple(str(part[5]) for part in parts)))
    return tuple(keys)


def _integer_key(table: Table) -> str | None:
    """The primary key's column if it is one integer column: the key range sampling reads."""
    if table.kind != "table" or len(table.primary_key) != 1:
        return None
    key = table.primary_key[0]
    types = {column.name: column.data_type for column in table.columns}
    return key if types.get(key, "").startswith(_INTEGER_TYPES) else None


def quoted(name: str) -> str:
    """A MySQL identifier in backticks, inner backticks doubled."""
    return "`" + name.replace("`", "``") + "`"


def _source(table: Table) -> str:
    return ".".join(quoted(part) for part in table.locator)


def _selected(table: Table) -> str:
    return ", ".join(quoted(column.name) for column in table.columns) or "NULL"


def _endpoint(dsn: str) -> Endpoint:
    try:
        parts = urlsplit(dsn)
        port = parts.port or 3306
    except ValueError:
        raise invalid_dsn("mysql") from None
    if parts.scheme not in SCHEMES:
        raise invalid_dsn("mysql")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise ConnectorError("the mysql DSN names no database")
    return Endpoint(
        host=parts.hostname or "localhost",
        port=port,
        user=unquote(parts.username or ""),
        database=database,
        password=unquote(parts.password or ""),
    )


def _code(error: pymysql.MySQLError) -> int | None:
    first = error.args[0] if error.args else None
    return first if isinstance(first, int) else None


def _connect_error(endpoint: Endpoint, error: pymysql.MySQLError) -> ConnectorError:
    code = _code(error)
    if code in (_ACCESS_DENIED, _ACCESS_DENIED_NO_PASSWORD):
        return endpoint.authentication_failed()
    if code == _ACCESS_DENIED_TO_DATABASE:
        return endpoint.access_denied()
    if code == _UNKNOWN_DATABASE:
        return endpoint.database_missing()
    text = str(error)
    if code == _CANNOT_CONNECT and "refused" in text:
        return endpoint.refused()
    if "timed out" in text:  # while connecting, or waiting for the server's greeting
        return endpoint.timed_out()
    if code == _CANNOT_CONNECT and ("Name or service not known" in text or "getaddrinfo" in text):
        return endpoint.unknown_host()
    return _server_error(endpoint, error)


def _server_error(endpoint: Endpoint, error: pymysql.MySQLError) -> ConnectorError:
    if _code(error) in (_SERVER_GONE, _SERVER_LOST) or isinstance(error, pymysql.InterfaceError):
        return endpoint.lost()
    return endpoint.failed(error)
