"""Connectors against real sources: what discovery catalogs (tables, views, files, columns, types,
keys, row estimates), that samples stay bounded and repeat for unchanged data, and that failures
carry reasons a user can act on, never a password."""

from __future__ import annotations

import csv
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pymysql
import pytest

from edge.connectors import open_connector
from edge.connectors.base import (
    AuthenticationFailedError,
    Column,
    Connector,
    ConnectorError,
    ForeignKey,
    SourceNotFoundError,
    SourceUnreachableError,
    Table,
    TableUnreadableError,
)
from infra.embedded import free_port
from tests.support import answers, drop_database, fresh_database

PASSWORD = "Tr0ub4dor-and-3"  # must never appear in a reason


def catalog(connector: Connector) -> dict[str, Table]:
    return {table.qualified_name: table for table in connector.tables()}


def column(table: Table, name: str) -> Column:
    return next(c for c in table.columns if c.name == name)


def first_values(rows: list[tuple[object, ...]]) -> list[int]:
    return [int(str(row[0])) for row in rows]


@pytest.fixture
def opened() -> Iterator[list[Connector]]:
    """Connectors a test opens, closed after it."""
    connectors: list[Connector] = []
    yield connectors
    for connector in connectors:
        connector.close()


def connect(opened: list[Connector], kind: str, **connection: str) -> Connector:
    connector = open_connector(kind, connection)
    opened.append(connector)
    return connector


# --- PostgreSQL --------------------------------------------------------------------------------

PG_SHOP = """
CREATE SCHEMA sales;
CREATE SCHEMA hr;
CREATE TABLE sales.customers (
    id serial PRIMARY KEY, email varchar(200) NOT NULL, full_name varchar(100),
    signed_up timestamptz);
CREATE TABLE sales.orders (
    id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES sales.customers (id),
    total numeric(10,2), placed_on date);
CREATE TABLE sales.order_lines (
    order_id bigint REFERENCES sales.orders (id), line_no integer, sku text,
    PRIMARY KEY (order_id, line_no));
CREATE TABLE sales.events (id bigint PRIMARY KEY, kind text NOT NULL, payload text);
CREATE VIEW sales.big_orders AS SELECT id, total FROM sales.orders WHERE total > 100;
CREATE MATERIALIZED VIEW sales.customer_count AS SELECT count(*) AS customers FROM sales.customers;
CREATE TABLE hr.salaries (employee text PRIMARY KEY, amount numeric(12,2));
INSERT INTO sales.customers (email, full_name, signed_up) VALUES
    ('ada@example.com', 'Ada Lovelace', '2024-01-05 10:00+00'),
    ('alan@example.org', NULL, '2024-02-09 11:30+00'),
    ('grace@example.net', 'Grace Hopper', NULL);
INSERT INTO sales.orders VALUES (1, 1, 250.00, '2024-03-01'), (2, 2, 12.50, '2024-03-02');
INSERT INTO sales.order_lines VALUES (1, 1, 'SKU-1'), (1, 2, 'SKU-2');
INSERT INTO hr.salaries VALUES ('ada', 9000.00);
INSERT INTO sales.events
    SELECT n, 'kind' || (n % 5), md5(n::text) FROM generate_series(1, 50000) AS n;
REFRESH MATERIALIZED VIEW sales.customer_count;
ANALYZE;
"""


def as_user(dsn: str, user: str, password: str | None = None) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = f"{user}:{password}" if password is not None else user
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


@pytest.fixture(scope="module")
def pg_shop(postgres_server: str) -> Iterator[str]:
    """A shop database, built once for the module (tests only read it)."""
    dsn = fresh_database(postgres_server)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(PG_SHOP)
    yield dsn
    drop_database(postgres_server, dsn)


@pytest.fixture(scope="module")
def pg_reader(pg_shop: str, postgres_server: str) -> Iterator[str]:
    """A DSN for a role that may read the sales schema but not hr.salaries."""
    role = f"dw_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_shop, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA sales, hr TO {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA sales TO {role}")
    yield as_user(pg_shop, role)
    with psycopg.connect(pg_shop, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP ROLE {role}")


def test_postgres_catalogs_tables_views_columns_and_keys(
    pg_shop: str, opened: list[Connector]
) -> None:
    tables = catalog(connect(opened, "postgresql", dsn=pg_shop))

    assert set(tables) == {
        "hr.salaries",
        "sales.big_orders",
        "sales.customer_count",
        "sales.customers",
        "sales.events",
        "sales.order_lines",
        "sales.orders",
    }
    customers, orders = tables["sales.customers"], tables["sales.orders"]
    assert customers.kind == "table"
    assert customers.columns == (
        Column("id", "integer", False),
        Column("email", "character varying(200)", False),
        Column("full_name", "character varying(100)", True),
        Column("signed_up", "timestamp with time zone", True),
    )
    assert column(orders, "total").data_type == "numeric(10,2)"
    assert customers.primary_key == ("id",)
    assert orders.foreign_keys == (ForeignKey(("customer_id",), "sales.customers", ("id",)),)
    assert tables["sales.order_lines"].primary_key == ("order_id", "line_no")
    assert tables["sales.big_orders"].kind == tables["sales.customer_count"].kind == "view"
    assert customers.row_estimate == 3
    assert tables["sales.big_orders"].row_estimate is None
    assert 45_000 <= (tables["sales.events"].row_estimate or 0) <= 55_000


def test_postgres_samples_a_big_table_boundedly_randomly_and_repeatably(
    pg_shop: str, opened: list[Connector]
) -> None:
    connector = connect(opened, "postgresql", dsn=pg_shop)
    events = catalog(connector)["sales.events"]

    sample = connector.sample(events, rows=1000)

    ids = first_values(sample.rows)
    assert 900 <= len(ids) <= 1000
    assert len(set(ids)) == len(ids)
    # TABLESAMPLE pages from all over the table, not the first 1,000 rows a LIMIT would read
    assert min(ids) < 10_000 and max(ids) > 40_000
    assert connector.sample(events, rows=1000) == sample
    assert sample.distinct_ratios["id"] == 1.0
    assert sample.distinct_ratios["kind"] == pytest.approx(5 / 50_000, rel=0.2)


def test_postgres_samples_small_tables_and_views_whole_as_text(
    pg_shop: str, opened: list[Connector]
) -> None:
    connector = connect(opened, "postgresql", dsn=pg_shop)
    tables = catalog(connector)

    customers = connector.sample(tables["sales.customers"])
    big_orders = connector.sample(tables["sales.big_orders"])

    assert sorted(row[1] for row in customers.rows) == [
        "ada@example.com",
        "alan@example.org",
        "grace@example.net",
    ]
    assert ("1", "250.00") in big_orders.rows and len(big_orders.rows) == 1
    assert connector.sample(tables["sales.customer_count"]).rows == [("3",)]


def test_postgres_table_the_user_may_not_read_is_listed_but_not_sampled(
    pg_reader: str, opened: list[Connector]
) -> None:
    connector = connect(opened, "postgresql", dsn=pg_reader)
    tables = catalog(connector)

    with pytest.raises(TableUnreadableError) as raised:
        connector.sample(tables["hr.salaries"])

    assert raised.value.table == "hr.salaries"
    assert raised.value.reason == "permission denied on table hr.salaries"
    assert tables["hr.salaries"].columns[0] == Column("employee", "text", False)
    assert len(tables) == 7
    assert len(connector.sample(tables["sales.orders"]).rows) == 2


def test_postgres_lists_every_table_once_across_pages(
    database: str, opened: list[Connector]
) -> None:
    names = [f"t{n:03d}" for n in range(230)] + ["Zeta", "alpha", "Beta", "ünïcode"]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            ";".join(f'CREATE TABLE public."{name}" ("{name}_id" integer)' for name in names)
        )

    tables = list(connect(opened, "postgresql", dsn=database).tables())

    assert sorted(t.qualified_name for t in tables) == sorted(f"public.{n}" for n in names)
    assert all(t.columns[0].name == t.qualified_name[7:] + "_id" for t in tables)


def test_postgres_session_notices_a_vanished_server_within_half_a_minute(
    pg_shop: str, opened: list[Connector]
) -> None:
    """A silently dropped connection (no FIN, no RST) is found by TCP, not waited on forever:
    the session's socket probes after 10 s of silence and gives up on unacknowledged data."""
    connector = connect(opened, "postgresql", dsn=pg_shop)
    session = connector.session  # type: ignore[attr-defined]
    probe = socket.socket(fileno=session.pgconn.socket)
    try:
        assert probe.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        idle = probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
        interval = probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL)
        count = probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)
        assert idle + interval * count <= 30
        assert 0 < probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) <= 30_000
    finally:
        probe.detach()  # the socket stays the session's
    # A DSN's own setting wins.
    joiner = "&" if "?" in pg_shop else "?"
    own = connect(opened, "postgresql", dsn=f"{pg_shop}{joiner}keepalives_idle=120")
    probe = socket.socket(fileno=own.session.pgconn.socket)  # type: ignore[attr-defined]
    try:
        assert probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 120
    finally:
        probe.detach()


def test_postgres_failures_say_what_to_fix(pg_shop: str) -> None:
    port = free_port()
    with pytest.raises(SourceUnreachableError) as refused:
        open_connector("postgresql", {"dsn": f"postgresql://app:{PASSWORD}@127.0.0.1:{port}/shop"})
    missing_db = pg_shop.rsplit("/", 1)[0] + "/no_such_db"
    with pytest.raises(SourceNotFoundError) as missing:
        open_connector("postgresql", {"dsn": missing_db})
    with pytest.raises(AuthenticationFailedError) as unknown_user:
        open_connector("postgresql", {"dsn": as_user(pg_shop, "nobody_here", PASSWORD)})

    assert refused.value.reason == f"connection refused at 127.0.0.1:{port}"
    assert missing.value.reason == "database no_such_db does not exist"
    assert unknown_user.value.reason == "authentication failed for user nobody_here"
    assert PASSWORD not in refused.value.reason + unknown_user.value.reason


# --- MariaDB / MySQL ---------------------------------------------------------------------------

MARIADB = ("127.0.0.1", 3306)
MY_SHOP = [
    """CREATE TABLE customers (
        id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL,
        full_name VARCHAR(100), signed_up DATETIME)""",
    """CREATE TABLE orders (
        id BIGINT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2), placed_on DATE,
        FOREIGN KEY (customer_id) REFERENCES customers (id))""",
    "CREATE TABLE salaries (employee VARCHAR(50) PRIMARY KEY, amount DECIMAL(12,2))",
    "CREATE TABLE events (id INT PRIMARY KEY, kind VARCHAR(10) NOT NULL, payload VARCHAR(40))",
    "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100",
    """INSERT INTO customers (email, full_name, signed_up) VALUES
        ('ada@example.com', 'Ada Lovelace', '2024-01-05 10:00:00'),
        ('alan@example.org', NULL, '2024-02-09 11:30:00'),
        ('grace@example.net', 'Grace Hopper', NULL)""",
    "INSERT INTO orders VALUES (1, 1, 250.00, '2024-03-01'), (2, 2, 12.50, '2024-03-02')",
    "INSERT INTO salaries VALUES ('ada', 9000.00)",
]


def mariadb_root(database: str | None = None) -> pymysql.Connection[pymysql.cursors.Cursor]:
    host, port = MARIADB
    return pymysql.connect(host=host, port=port, user="root", database=database, autocommit=True)


@pytest.fixture(scope="module")
def my_shop() -> Iterator[str]:
    """A shop database on the machine's MariaDB, with a reader user; the database's name."""
    if not answers(*MARIADB):
        pytest.skip("no MariaDB or MySQL server answers on 127.0.0.1:3306")
    name = f"dw_test_{uuid.uuid4().hex[:12]}"
    with mariadb_root() as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
        cursor.execute(f"USE {name}")
        for statement in MY_SHOP:
            cursor.execute(statement)
        events = [(n, f"kind{n % 5}", f"payload-{n:08d}") for n in range(1, 20_001)]
        cursor.executemany("INSERT INTO events VALUES (%s, %s, %s)", events)
        cursor.execute("ANALYZE TABLE customers, orders, salaries, events")
        cursor.fetchall()
        cursor.execute(f"CREATE USER {name}@'%' IDENTIFIED BY '{PASSWORD}'")
        for table in ("customers", "orders", "events", "big_orders"):
            cursor.execute(f"GRANT SELECT ON {name}.{table} TO {name}@'%'")
        cursor.execute(f"GRANT INSERT ON {name}.salaries TO {name}@'%'")
    yield name
    with mariadb_root() as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP USER IF EXISTS {name}@'%'")
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")


def my_dsn(database: str, user: str = "root", password: str = "", port: int = 3306) -> str:
    userinfo = f"{user}:{password}" if password else user
    return f"mysql://{userinfo}@127.0.0.1:{port}/{database}"


def test_mysql_catalogs_tables_views_columns_and_keys(
    my_shop: str, opened: list[Connector]
) -> None:
    tables = catalog(connect(opened, "mysql", dsn=my_dsn(my_shop)))

    assert set(tables) == {
        f"{my_shop}.{name}" for name in ("big_orders", "customers", "events", "orders", "salaries")
    }
    customers, orders = tables[f"{my_shop}.customers"], tables[f"{my_shop}.orders"]
    assert customers.kind == "table" and tables[f"{my_shop}.big_orders"].kind == "view"
    assert customers.columns == (
        Column("id", "int(11)", False),
        Column("email", "varchar(200)", False),
        Column("full_name", "varchar(100)", True),
        Column("signed_up", "datetime", True),
    )
    assert column(orders, "total").data_type == "decimal(10,2)"
    assert orders.primary_key == ("id",)
    assert orders.foreign_keys == (ForeignKey(("customer_id",), f"{my_shop}.customers", ("id",)),)
    assert customers.row_estimate == 3
    assert tables[f"{my_shop}.big_orders"].row_estimate is None
    assert 10_000 <= (tables[f"{my_shop}.events"].row_estimate or 0) <= 30_000


def test_mysql_samples_a_big_table_from_random_key_ranges_repeatably(
    my_shop: str, opened: list[Connector]
) -> None:
    connector = connect(opened, "mysql", dsn=my_dsn(my_shop))
    tables = catalog(connector)

    sample = connector.sample(tables[f"{my_shop}.events"], rows=500)

    ids = first_values(sample.rows)
    assert len(ids) == 500 and len(set(ids)) == 500
    assert max(ids) - min(ids) > 10_000  # not the first 500 rows a LIMIT would read
    assert connector.sample(tables[f"{my_shop}.events"], rows=500) == sample
    assert len(connector.sample(tables[f"{my_shop}.customers"]).rows) == 3
    assert connector.sample(tables[f"{my_shop}.big_orders"]).rows[0][0] == 1


def test_mysql_table_the_user_may_not_read_is_listed_but_not_sampled(
    my_shop: str, opened: list[Connector]
) -> None:
    connector = connect(opened, "mysql", dsn=my_dsn(my_shop, my_shop, PASSWORD))
    tables = catalog(connector)

    with pytest.raises(TableUnreadableError) as raised:
        connector.sample(tables[f"{my_shop}.salaries"])

    assert raised.value.reason == f"permission denied on table {my_shop}.salaries"
    assert len(tables) == 5
    assert len(connector.sample(tables[f"{my_shop}.orders"]).rows) == 2


def test_mysql_lists_every_table_once_across_pages(my_shop: str, opened: list[Connector]) -> None:
    many = f"{my_shop}_many"
    names = [f"t{n:03d}" for n in range(120)] + ["Zeta", "alpha", "Beta"]
    with mariadb_root() as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {many}")
        for name in names:
            cursor.execute(f"CREATE TABLE {many}.`{name}` (`{name}_id` INT) ENGINE=MEMORY")
    try:
        tables = list(connect(opened, "mysql", dsn=my_dsn(many)).tables())
    finally:
        with mariadb_root() as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE {many}")

    assert sorted(t.qualified_name for t in tables) == sorted(f"{many}.{n}" for n in names)
    assert all(t.columns[0].name == t.qualified_name.split(".")[1] + "_id" for t in tables)


def test_mysql_failures_say_what_to_fix(my_shop: str) -> None:
    port = free_port()
    with pytest.raises(AuthenticationFailedError) as wrong_password:
        open_connector("mysql", {"dsn": my_dsn(my_shop, my_shop, "not-" + PASSWORD)})
    with pytest.raises(SourceUnreachableError) as refused:
        open_connector("mysql", {"dsn": my_dsn(my_shop, my_shop, PASSWORD, port=port)})
    with pytest.raises(SourceNotFoundError) as missing:
        open_connector("mysql", {"dsn": "mariadb://root@127.0.0.1:3306/no_such_db"})

    assert wrong_password.value.reason == f"authentication failed for user {my_shop}"
    assert refused.value.reason == f"connection refused at 127.0.0.1:{port}"
    assert missing.value.reason == "database no_such_db does not exist"
    assert PASSWORD not in wrong_password.value.reason + refused.value.reason


# --- SQLite ------------------------------------------------------------------------------------

SQLITE_SHOP = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL, full_name TEXT);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers,
    total NUMERIC(10,2));
CREATE TABLE tags (name TEXT PRIMARY KEY, colour TEXT) WITHOUT ROWID;
CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload BLOB);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
INSERT INTO customers VALUES (1, 'ada@example.com', 'Ada'), (2, 'alan@example.org', NULL);
INSERT INTO orders VALUES (1, 1, 250.00), (2, 2, 12.50);
INSERT INTO tags VALUES ('vip', 'gold');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO events SELECT i, 'kind' || (i % 5), randomblob(8) FROM n;
"""


@pytest.fixture
def sqlite_shop(tmp_path: Path) -> str:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SQLITE_SHOP)
    conn.close()
    return str(path)


def test_sqlite_catalogs_tables_views_columns_and_keys(
    sqlite_shop: str, opened: list[Connector]
) -> None:
    tables = catalog(connect(opened, "sqlite", path=sqlite_shop))

    assert set(tables) == {"big_orders", "customers", "events", "orders", "tags"}
    assert tables["customers"].columns == (
        Column("id", "integer", False),  # the rowid: never null
        Column("email", "varchar(200)", False),
        Column("full_name", "text", True),
    )
    assert tables["orders"].foreign_keys == (ForeignKey(("customer_id",), "customers", ("id",)),)
    assert tables["tags"].primary_key == ("name",)
    assert tables["big_orders"].kind == "view" and tables["tags"].kind == "table"
    assert tables["events"].row_estimate == 20_000
    assert tables["tags"].row_estimate is None  # WITHOUT ROWID: nothing cheap to probe
    assert tables["big_orders"].row_estimate is None


def test_sqlite_samples_a_big_table_from_random_rowids_repeatably(
    sqlite_shop: str, opened: list[Connector]
) -> None:
    connector = connect(opened, "sqlite", path=sqlite_shop)
    tables = catalog(connector)

    sample = connector.sample(tables["events"], rows=300)

    ids = first_values(sample.rows)
    assert len(ids) == 300 and len(set(ids)) == 300
    assert max(ids) - min(ids) > 10_000  # ranges from all over the table, not its head
    assert connector.sample(tables["events"], rows=300) == sample
    assert connector.sample(tables["tags"]).rows == [("vip", "gold")]
    assert connector.sample(tables["big_orders"]).rows == [(1, 250)]


def test_sqlite_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError) as missing:
        open_connector("sqlite", {"path": str(tmp_path / "gone.db")})

    assert missing.value.reason == f"file not found: {tmp_path / 'gone.db'}"


# --- CSV ---------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[object]], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)


@pytest.fixture
def csv_folder(tmp_path: Path) -> Path:
    """customers.csv (comma, every inferred type) and archive/2024/orders.csv (semicolon, big)."""
    root = tmp_path / "exports"
    write_csv(
        root / "customers.csv",
        [
            ["id", "email", "score", "vip", "signed_up", "last_seen", "note"],
            [1, "ada@example.com", "9.5", "true", "2024-01-05", "2024-01-05T10:00:00", "first"],
            [2, "alan@example.org", "7", "false", "2024-02-09", "2024-02-09 11:30:00", ""],
            [3, "grace@example.net", "-1.25", "yes", "2024-03-01", "2024-03-01", "x"],
        ],
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    orders: list[list[object]] = [["order_id", "placed_at", "amount", "customer"]]
    orders += [
        [n, (start + timedelta(minutes=n)).isoformat(), f"{n % 97}.{n % 100:02d}", f"c{n % 40}"]
        for n in range(1, 5001)
    ]
    write_csv(root / "archive" / "2024" / "orders.csv", orders, delimiter=";")
    (root / "notes.txt").write_text("not a CSV file")
    return root


def test_csv_catalogs_each_file_with_inferred_types(
    csv_folder: Path, opened: list[Connector]
) -> None:
    tables = catalog(connect(opened, "csv", path=str(csv_folder)))

    assert set(tables) == {"archive/2024/orders.csv", "customers.csv"}
    customers, orders = tables["customers.csv"], tables["archive/2024/orders.csv"]
    assert customers.kind == orders.kind == "file"
    assert customers.columns == (
        Column("id", "integer", False),
        Column("email", "string", False),
        Column("score", "decimal", False),
        Column("vip", "boolean", False),
        Column("signed_up", "date", False),
        Column("last_seen", "timestamp", False),
        Column("note", "string", True),
    )
    assert [c.name for c in orders.columns] == ["order_id", "placed_at", "amount", "customer"]
    assert [c.data_type for c in orders.columns] == ["integer", "timestamp", "decimal", "string"]
    assert customers.row_estimate == 3
    assert 4_000 <= (orders.row_estimate or 0) <= 6_000  # estimated from the first 64 KB


def test_a_csv_header_wider_than_the_listings_read_keeps_every_column(
    tmp_path: Path, opened: list[Connector]
) -> None:
    names = [f"reading_{i:04d}_of_the_north_east_sensor" for i in range(3000)]  # ~110 KB
    write_csv(tmp_path / "wide.csv", [names, list(range(3000)), list(range(3000))])
    (wide,) = catalog(connect(opened, "csv", path=str(tmp_path))).values()
    assert [c.name for c in wide.columns] == names
    assert {c.data_type for c in wide.columns} == {"integer"}


def test_csv_samples_by_reservoir_repeatably_and_counts_rows(
    csv_folder: Path, opened: list[Connector]
) -> None:
    connector = connect(opened, "csv", path=str(csv_folder))
    orders = catalog(connector)["archive/2024/orders.csv"]

    sample = connector.sample(orders, rows=100)

    ids = first_values(sample.rows)
    assert len(ids) == 100 and len(set(ids)) == 100
    assert max(ids) > 2_500  # drawn from the whole file, not its head
    assert sample.row_count == 5000
    assert connector.sample(orders, rows=100) == sample


def test_csv_single_file_is_named_by_its_file_name(
    csv_folder: Path, opened: list[Connector]
) -> None:
    connector = connect(opened, "csv", path=str(csv_folder / "customers.csv"))
    tables = catalog(connector)

    assert list(tables) == ["customers.csv"]
    rows = connector.sample(tables["customers.csv"]).rows
    assert rows[1] == (
        "2",
        "alan@example.org",
        "7",
        "false",
        "2024-02-09",
        "2024-02-09 11:30:00",
        None,
    )


def test_csv_missing_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError) as missing:
        open_connector("csv", {"path": str(tmp_path / "gone")})

    assert missing.value.reason == f"file not found: {tmp_path / 'gone'}"


# --- Parquet -----------------------------------------------------------------------------------


@pytest.fixture
def parquet_folder(tmp_path: Path) -> Path:
    """payments.parquet: 20,000 rows in 20 row groups; broken.parquet: not Parquet at all."""
    root = tmp_path / "lake"
    (root / "raw").mkdir(parents=True)
    schema = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("email", pa.string()),
            pa.field("amount", pa.float64()),
            pa.field("paid_at", pa.timestamp("us")),
        ]
    )
    start = datetime(2024, 1, 1)
    data = {
        "id": list(range(1, 20_001)),
        "email": [None if n % 10 == 0 else f"user{n}@example.com" for n in range(1, 20_001)],
        "amount": [n / 100 for n in range(1, 20_001)],
        "paid_at": [start + timedelta(minutes=n) for n in range(1, 20_001)],
    }
    pq.write_table(pa.table(data, schema=schema), root / "payments.parquet", row_group_size=1000)
    (root / "raw" / "broken.parquet").write_bytes(b"PAR1 this is not a parquet file")
    return root


def test_parquet_catalogs_files_from_their_metadata(
    parquet_folder: Path, opened: list[Connector]
) -> None:
    tables = catalog(connect(opened, "parquet", path=str(parquet_folder)))

    assert set(tables) == {"payments.parquet", "raw/broken.parquet"}
    payments = tables["payments.parquet"]
    assert payments.kind == "file"
    assert payments.columns == (
        Column("id", "int64", False),
        Column("email", "string", True),
        Column("amount", "double", True),
        Column("paid_at", "timestamp[us]", True),
    )
    assert payments.row_estimate == 20_000
    assert tables["raw/broken.parquet"].columns == ()


def test_parquet_samples_random_row_groups_repeatably(
    parquet_folder: Path, opened: list[Connector]
) -> None:
    connector = connect(opened, "parquet", path=str(parquet_folder))
    payments = catalog(connector)["payments.parquet"]

    sample = connector.sample(payments, rows=500)

    ids = first_values(sample.rows)
    assert len(ids) == 500 and len(set(ids)) == 500
    groups = {(n - 1) // 1000 for n in ids}
    assert 1 < len(groups) < 20  # a few row groups, not the whole file
    assert connector.sample(payments, rows=500) == sample
    assert isinstance(sample.rows[0][3], datetime)


def test_parquet_unreadable_file_is_listed_but_not_sampled(
    parquet_folder: Path, opened: list[Connector]
) -> None:
    connector = connect(opened, "parquet", path=str(parquet_folder))
    tables = catalog(connector)

    with pytest.raises(TableUnreadableError) as raised:
        connector.sample(tables["raw/broken.parquet"])

    assert raised.value.table == "raw/broken.parquet"
    assert raised.value.reason.startswith("cannot read Parquet file raw/broken.parquet")
    assert len(connector.sample(tables["payments.parquet"], rows=10).rows) == 10


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ConnectorError) as raised:
        open_connector("oracle", {"dsn": "oracle://x"})

    assert raised.value.reason == "no connector for source kind oracle"


def test_a_file_that_is_no_database_is_refused_and_not_left_open(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_bytes(b"this is not a SQLite database, only some text " * 100)
    with pytest.raises(ConnectorError):
        open_connector("sqlite", {"path": str(garbage)})
    open_files = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
    assert str(garbage.resolve()) not in open_files
