"""PostgreSQL through psycopg 3: every schema's tables, views and materialized views, described
from the system catalogs a page of tables at a time, sampled with TABLESAMPLE.

Values in a sample are PostgreSQL's own text form of each value (`col::text`): one form for every
type, and no value (an infinite date, say) that the client could fail to load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from edge.connectors.base import (
    DEFAULT_SAMPLE_ROWS,
    Column,
    ConnectorError,
    ForeignKey,
    Sample,
    Table,
)
from edge.connectors.sampling import seed_for
from edge.connectors.servers import (
    CONNECT_TIMEOUT_SECONDS,
    DEAD_PEER_SECONDS,
    STATEMENT_TIMEOUT_SECONDS,
    TABLES_PER_PAGE,
    Endpoint,
    cannot_read,
    invalid_dsn,
    permission_denied,
    read_timed_out,
)

# TABLESAMPLE SYSTEM picks whole pages, so it returns about, not exactly, the share asked for:
# asking for this many times the rows needed makes falling short of them very unlikely.
HEADROOM = 3
_TABLE_KINDS = {"r": "table", "p": "table", "v": "view", "m": "view"}
_SAMPLED_KINDS = frozenset({"r", "p", "m"})  # relkinds TABLESAMPLE can read
# libpq's TCP settings for DEAD_PEER_SECONDS; a DSN that sets one of them keeps its own.
_DEAD_PEER = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": (DEAD_PEER_SECONDS - 10) // 5,
    "tcp_user_timeout": DEAD_PEER_SECONDS * 1000,
}

_PAGE_SQL = """
SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::float8
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'
  AND (n.nspname, c.relname) > (%s::name, %s::name)
ORDER BY n.nspname, c.relname
LIMIT %s
"""
_COLUMNS_SQL = """
SELECT a.attrelid::int8, a.attname::text,
       pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = ANY(%s::int8[]::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""
_KEY_NAMES = """ARRAY(
    SELECT a.attname::text FROM unnest(con.{keys}) WITH ORDINALITY AS k(attnum, position)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.{table} AND a.attnum = k.attnum
    ORDER BY k.position)"""
_KEYS_SQL = f"""
SELECT con.conrelid::int8, con.contype::text,
       {_KEY_NAMES.format(keys="conkey", table="conrelid")},
       rn.nspname::text, rc.relname::text,
       {_KEY_NAMES.format(keys="confkey", table="confrelid")}
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.conrelid = ANY(%s::int8[]::oid[]) AND con.contype IN ('p', 'f')
ORDER BY con.conrelid, con.conname
"""  # noqa: S608 - a constant built from constants
_STATS_SQL = """
SELECT attname::text, n_distinct::float8 FROM pg_catalog.pg_stats
WHERE schemaname = %s AND tablename = %s
ORDER BY inherited
"""


def connect(connection: dict[str, str]) -> PostgresConnector:
    """An autocommit, read-only session with a statement timeout, on the DSN's database, that
    notices a vanished server (DEAD_PEER_SECONDS) instead of waiting for it forever."""
    dsn = connection.get("dsn", "")
    endpoint = _endpoint(dsn)
    tcp = {k: v for k, v in _DEAD_PEER.items() if k not in conninfo_to_dict(dsn)}
    try:
        session = psycopg.connect(
            make_conninfo(dsn, **tcp), connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True
        )
    except psycopg.OperationalError as error:
        raise _connect_error(endpoint, error) from None
    except psycopg.Error as error:
        raise endpoint.failed(error) from None
    try:
        session.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_SECONDS}s'")
        session.execute("SET default_transaction_read_only = on")
    except psycopg.Error as error:
        session.close()  # a session that cannot be limited is not used, nor left open
        raise endpoint.failed(error) from None
    return PostgresConnector(session, endpoint)


class PostgresConnector:
    """One PostgreSQL database."""

    def __init__(self, session: psycopg.Connection[Any], endpoint: Endpoint) -> None:
        self.session = session
        self.endpoint = endpoint

    def tables(self) -> Iterator[Table]:
        after = ("", "")
        while page := self._query(_PAGE_SQL, (*after, TABLES_PER_PAGE)):
            yield from self._describe(page)
            after = (page[-1][1], page[-1][2])

    def sample(self, table: Table, rows: int = DEFAULT_SAMPLE_ROWS) -> Sample:
        try:
            found = self.session.execute(_sample_query(table, rows)).fetchall()
            return Sample([tuple(row) for row in found], self._distinct_ratios(table))
        except errors.InsufficientPrivilege:
            raise permission_denied(table.qualified_name) from None
        except errors.QueryCanceled:
            raise read_timed_out(table.qualified_name) from None
        except psycopg.OperationalError:
            raise self.endpoint.lost() from None
        except psycopg.Error as error:
            raise cannot_read(table.qualified_name, self.endpoint.told(error)) from None

    def close(self) -> None:
        self.session.close()

    def _query(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """A catalog query; catalogs are readable by every user, so a failure is the server's."""
        try:
            return self.session.execute(query, params).fetchall()
        except psycopg.OperationalError:
            raise self.endpoint.lost() from None
        except psycopg.Error as error:
            raise self.endpoint.failed(error) from None

    def _describe(self, page: list[tuple[Any, ...]]) -> Iterator[Table]:
        oids = [row[0] for row in page]
        columns: dict[int, list[Column]] = {oid: [] for oid in oids}
        for oid, name, data_type, nullable in self._query(_COLUMNS_SQL, (oids,)):
            columns[oid].append(Column(name, data_type.lower(), nullable))
        primary_keys: dict[int, tuple[str, ...]] = {}
        foreign_keys: dict[int, list[ForeignKey]] = {oid: [] for oid in oids}
        for oid, kind, names, schema, table, referenced in self._query(_KEYS_SQL, (oids,)):
            if kind == "p":
                primary_keys[oid] = tuple(names)
            else:
                key = ForeignKey(tuple(names), f"{schema}.{table}", tuple(referenced))
                foreign_keys[oid].append(key)
        for oid, schema, name, relkind, reltuples in page:
            yield Table(
                qualified_name=f"{schema}.{name}",
                kind=_TABLE_KINDS[relkind],
                columns=tuple(columns[oid]),
                primary_key=primary_keys.get(oid, ()),
                foreign_keys=tuple(foreign_keys[oid]),
                row_estimate=_row_estimate(relkind, reltuples),
                locator=(schema, name, relkind),
            )

    def _distinct_ratios(self, table: Table) -> dict[str, float]:
        """The planner's distinct estimates where the table has been analysed: a negative
        n_distinct is minus a ratio, a positive one a count."""
        schema, name, _ = table.locator
        ratios = {}
        for column, n_distinct in self.session.execute(_STATS_SQL, (schema, name)):
            if n_distinct < 0:
                ratios[column] = -n_distinct
            elif n_distinct > 0 and table.row_estimate:
                ratios[column] = min(1.0, n_distinct / table.row_estimate)
        return ratios


def _row_estimate(relkind: str, reltuples: float) -> int | None:
    """None where PostgreSQL has no estimate: views, and tables never vacuumed or analysed."""
    if relkind == "v" or reltuples < 0:
        return None
    return round(reltuples)


def _sample_query(table: Table, rows: int) -> sql.Composed:
    """TABLESAMPLE for a table that holds more than the rows asked for, with a seed fixed per
    table so an unchanged table gives the same pages, ordered by a hash of the row's position so
    LIMIT takes rows from all of them; plain LIMIT otherwise."""
    schema, name, relkind = table.locator
    selected = sql.SQL(", ").join(
        sql.SQL("{}::text").format(sql.Identifier(column.name)) for column in table.columns
    )
    source = sql.Identifier(schema, name)
    estimate = table.row_estimate or 0
    if relkind not in _SAMPLED_KINDS or estimate <= rows:
        return sql.SQL("SELECT {} FROM {} LIMIT {}").format(selected, source, sql.Literal(rows))
    percent = sql.Literal(min(100.0, 100.0 * rows * HEADROOM / estimate))
    return sql.SQL(
        "SELECT {} FROM {} TABLESAMPLE SYSTEM ({}) REPEATABLE ({})"
        " ORDER BY md5(ctid::text) LIMIT {}"
    ).format(
        selected, source, percent, sql.Literal(seed_for(table.qualified_name)), sql.Literal(rows)
    )


def _endpoint(dsn: str) -> Endpoint:
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        raise invalid_dsn("postgresql") from None
    host = str(parts.get("host") or parts.get("hostaddr") or "localhost").split(",")[0]
    port = str(parts.get("port") or "5432").split(",")[0]
    if not port.isdigit():
        raise invalid_dsn("postgresql")
    user = str(parts.get("user") or "")
    return Endpoint(
        host=host,
        port=int(port),
        user=user,
        database=str(parts.get("dbname") or user),
        password=str(parts.get("password") or ""),
    )


def _connect_error(endpoint: Endpoint, error: psycopg.OperationalError) -> ConnectorError:
    """libpq reports connection failures as text only (no SQLSTATE), so the text decides."""
    text = str(error)
    if "Connection refused" in text:
        return endpoint.refused()
    if "timeout expired" in text or "timed out" in text:
        return endpoint.timed_out()
    if "resolve host" in text or "translate host name" in text:
        return endpoint.unknown_host()
    if "database" in text and "does not exist" in text:
        return endpoint.database_missing()
    if "permission denied for database" in text:
        return endpoint.access_denied()
    if any(marker in text for marker in _AUTHENTICATION_MARKERS):
        return endpoint.authentication_failed()
    return endpoint.failed(error)


_AUTHENTICATION_MARKERS = (
    "authentication failed",
    "no pg_hba.conf entry",
    "password",  # "no password supplied", "password is required"
    "role",  # 'role "x" does not exist', 'role "x" is not permitted to log in'
)
