"""Discovery end to end: the API asks, the relay hands the job to an edge agent, the agent reads
the real source, and the catalog ingest fills the asset read model the API serves."""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pymysql
import pytest
import redis

from api.supervisor import COMPONENTS
from infra.envelope import MAX_MESSAGE_BYTES
from tests.e2e.http import SOURCES, assert_problem
from tests.e2e.test_secret_canary import kafka_messages
from tests.support import (
    Component,
    System,
    answers,
    drop_database,
    fresh_database,
)

ASSETS = "/api/v1/assets"
DISCOVERY_TIMEOUT = 90.0


SYSTEM_PARTS = ("api", "relay", "worker", "edge")  # the e2e `running` fixture starts these


def register(client: httpx.Client, name: str, kind: str, connection: dict[str, str]) -> str:
    created = client.post(SOURCES, json={"name": name, "kind": kind, "connection": connection})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def discover(client: httpx.Client, source_id: str) -> dict[str, Any]:
    """Start a discovery and wait until the source shows how it ended."""
    started = client.post(f"{SOURCES}/discover", json={"data_source_id": source_id})
    assert started.status_code == 202, started.text
    return _wait_for_workflow(client, source_id, started.json()["workflow_id"])


def _wait_for_workflow(client: httpx.Client, source_id: str, workflow_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + DISCOVERY_TIMEOUT
    while time.monotonic() < deadline:
        got = client.get(f"{SOURCES}/{source_id}")
        last = got.json().get("last_discovery") if got.status_code == 200 else None
        if (
            last
            and last["workflow_id"] == workflow_id
            and last["status"] in ("completed", "failed")
        ):
            return dict(last)
        time.sleep(0.2)
    raise AssertionError(f"discovery {workflow_id} did not end within {DISCOVERY_TIMEOUT} s")


def assets_of(client: httpx.Client, source_id: str) -> dict[str, dict[str, Any]]:
    """The source's live assets by qualified name, read once the projection has caught up."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"data_source_id": source_id, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = client.get(ASSETS, params=params).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return {a["qualified_name"]: a for a in items}


def settled_assets(
    running: System, client: httpx.Client, source_id: str
) -> dict[str, dict[str, Any]]:
    running.wait_caught_up()
    return assets_of(client, source_id)


def by_name(asset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The asset's columns by name."""
    return {c["name"]: c for c in asset["columns"]}


def columns(asset: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    return {c["name"]: (c["data_type"], c["nullable"]) for c in asset["columns"]}


def asset_event_types(client: httpx.Client, asset_id: str) -> list[str]:
    events = client.get("/api/v1/audit/events", params={"aggregate_id": asset_id}).json()
    return [e["type"] for e in events["items"]]


def test_a_sqlite_file_is_cataloged_with_columns_keys_and_profiles(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT);
            CREATE TABLE orders (id INTEGER PRIMARY KEY,
                                 customer_id INTEGER NOT NULL REFERENCES customers(id),
                                 total REAL);
            CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
            """
        )
        db.executemany(
            "INSERT INTO customers (email, nickname) VALUES (?, ?)",
            [(f"user{i}@example.com", None if i % 4 == 0 else f"nick{i % 10}") for i in range(200)],
        )
        db.executemany(
            "INSERT INTO orders (customer_id, total) VALUES (?, ?)",
            [(1 + i % 200, float(i)) for i in range(500)],
        )
    source = register(steward, "shop-sqlite", "sqlite", {"path": str(path)})
    outcome = discover(steward, source)
    assert outcome["status"] == "completed", outcome
    assert outcome["summary"]["tables"] == 3
    assets = settled_assets(running, steward, source)
    assert set(assets) == {"customers", "orders", "big_orders"}
    assert assets["big_orders"]["kind"] == "view"
    customers = assets["customers"]
    assert customers["kind"] == "table"
    assert customers["primary_key"] == ["id"]
    assert columns(customers)["email"][1] is False
    assert assets["orders"]["foreign_keys"] == [
        {"columns": ["customer_id"], "references": "customers", "referenced_columns": ["id"]}
    ]
    profile = {c["name"]: c["profile"] for c in customers["columns"]}
    assert profile["nickname"]["null_ratio"] == pytest.approx(0.25, abs=0.01)
    assert profile["email"]["distinct_ratio"] == pytest.approx(1.0)
    decided = by_name(customers)
    assert decided["email"]["infotype"] == "EMAIL_ADDRESS"
    assert decided["email"]["category"] == "PII"
    assert decided["email"]["method"] == "rules"
    assert decided["email"]["evidence"]["values"]["example"].startswith("u***@")
    assert decided["id"]["infotype"] is None
    by_infotype = steward.get(
        ASSETS, params={"data_source_id": source, "infotype": "EMAIL_ADDRESS"}
    ).json()["items"]
    assert [a["qualified_name"] for a in by_infotype] == ["customers"]
    by_category = steward.get(ASSETS, params={"data_source_id": source, "category": "PCI"})
    assert by_category.json()["items"] == []
    counts = steward.get(f"{SOURCES}/{source}").json()["classification_counts"]
    assert counts["infotype"]["EMAIL_ADDRESS"] == 1 and counts["category"]["PII"] >= 1
    cached = redis.Redis.from_url(running.redis_url).get(
        f"{running.redis_prefix}:classification_counts:{source}"
    )
    assert cached is not None and json.loads(cached) == counts
    one = steward.get(f"{ASSETS}/{customers['id']}").json()
    assert one == customers
    assert "user1@example.com" not in str(assets)  # values never leave the edge
    # Re-discovering an unchanged source appends nothing to the catalog.
    first = asset_event_types(steward, customers["id"])
    # Each stage adds its own: the schema, then the profiles, then the classifications.
    assert first[0] == "Discovered"
    assert set(first[1:]) == {"StatisticsUpdated", "ColumnClassified"}
    before = running.event_store_head()
    assert discover(steward, source)["status"] == "completed"
    running.wait_caught_up()
    assert asset_event_types(steward, customers["id"]) == first
    # Only the workflow's own record: the source's ScanRequested and ScanEnded, and the
    # workflow's Requested, three stages started and completed, and Completed.
    assert running.events_after(before) == 10


def test_a_folder_of_csv_files_is_one_asset_per_file_and_a_deleted_file_is_decommissioned(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    root = tmp_path / "exports"
    (root / "2026").mkdir(parents=True)
    for path, rows in (
        (root / "people.csv", [["name", "age"], ["Ann", "34"], ["Bob", ""]]),
        (root / "2026" / "sales.csv", [["day", "amount"], ["2026-01-02", "10.5"]]),
    ):
        with path.open("w", newline="") as out:
            csv.writer(out).writerows(rows)
    source = register(steward, "exports", "csv", {"path": str(root)})
    assert discover(steward, source)["status"] == "completed"
    assets = settled_assets(running, steward, source)
    assert set(assets) == {"people.csv", "2026/sales.csv"}
    assert columns(assets["people.csv"]) == {"name": ("string", False), "age": ("integer", True)}
    (root / "people.csv").unlink()
    assert discover(steward, source)["status"] == "completed"
    assert set(settled_assets(running, steward, source)) == {"2026/sales.csv"}
    gone = steward.get(f"{ASSETS}/{assets['people.csv']['id']}").json()
    assert gone["status"] == "decommissioned"


def test_a_table_too_wide_for_one_kafka_message_is_cataloged_whole(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    """3,000 columns with long names: the edge agent's report and the asset's events are over
    a broker's default 1 MB message limit. The agent compresses its report; the relay publishes
    the large events as claim checks, which the projection reads whole from the event store and
    the API serves at their `dataref`."""
    root = tmp_path / "wide"
    root.mkdir()
    header = [f"reading_{i:04d}_{'x' * 240}" for i in range(3000)]
    with (root / "wide.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[str(i * row % 97) for i in range(3000)] for row in range(1, 6)])
    source = register(steward, "wide", "csv", {"path": str(root)})
    assert discover(steward, source)["status"] == "completed"
    (asset,) = settled_assets(running, steward, source).values()
    assert [c["name"] for c in asset["columns"]] == header
    assert all(c["profile"] is not None for c in asset["columns"])

    messages = asyncio.run(kafka_messages(running.bootstrap, "datawave.catalog"))
    claims = [json.loads(m) for m in messages if b'"dataref"' in m]
    mine = [c for c in claims if c["subject"] == asset["id"]]
    assert mine, "no claim check was published for the wide asset"
    assert all(len(m) <= MAX_MESSAGE_BYTES for m in messages)
    assert all("data" not in c for c in mine)
    with httpx.Client(
        base_url=running.api_url,
        headers={"Authorization": f"Bearer {running.token('auditor')}"},
        timeout=30,
    ) as auditor:
        whole = auditor.get(mine[0]["dataref"])
        assert whole.status_code == 200, whole.text
        event = whole.json()
        assert (event["position"], event["aggregate_id"]) == (mine[0]["position"], asset["id"])
        assert len(json.dumps(event["data"])) > MAX_MESSAGE_BYTES
        assert_problem(auditor.get("/api/v1/audit/events/999999999"), 404)
        analyst = {"Authorization": f"Bearer {running.token('analyst')}"}
        assert_problem(auditor.get(mine[0]["dataref"], headers=analyst), 403)


def test_postgres_schema_drift_appends_exactly_those_events(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    dsn = fresh_database(postgres_server)
    try:
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(
                "CREATE SCHEMA sales; "
                "CREATE TABLE sales.customers (id serial PRIMARY KEY, email text NOT NULL, "
                "  legacy_code text, age integer); "
                "CREATE TABLE sales.orders (id bigserial PRIMARY KEY, "
                "  customer_id integer NOT NULL REFERENCES sales.customers(id), note text); "
                "INSERT INTO sales.customers (email, age) "
                "  SELECT 'u' || g || '@example.com', g % 90 FROM generate_series(1, 300) g; "
                "ANALYZE; "
            )
        source = register(steward, "sales-pg", "postgresql", {"dsn": dsn})
        assert discover(steward, source)["status"] == "completed"
        assets = settled_assets(running, steward, source)
        assert set(assets) == {"sales.customers", "sales.orders"}
        customers = assets["sales.customers"]
        discovered = asset_event_types(steward, customers["id"])
        assert columns(customers) == {
            "id": ("integer", False),
            "email": ("text", False),
            "legacy_code": ("text", True),
            "age": ("integer", True),
        }
        assert assets["sales.orders"]["foreign_keys"][0]["references"] == "sales.customers"
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(
                "ALTER TABLE sales.customers ADD COLUMN phone text; "
                "ALTER TABLE sales.customers DROP COLUMN legacy_code; "
                "ALTER TABLE sales.customers ALTER COLUMN age TYPE bigint;"
            )
        assert discover(steward, source)["status"] == "completed"
        running.wait_caught_up()
        drift = asset_event_types(steward, customers["id"])
        changes = drift[len(discovered) :]
        # The profile stage profiles the new and retyped columns after the discover stage.
        schema = [t for t in changes if t not in ("ColumnClassified", "StatisticsUpdated")]
        assert sorted(schema) == ["ColumnAdded", "ColumnRemoved", "ColumnTypeChanged"]
        assert changes.count("ColumnClassified") <= 1  # the new column, if it says what it holds
        assert discover(steward, source)["status"] == "completed"
        running.wait_caught_up()
        assert asset_event_types(steward, customers["id"]) == drift
        after = settled_assets(running, steward, source)["sales.customers"]
        assert columns(after)["age"] == ("bigint", True)
        assert "phone" in columns(after) and "legacy_code" not in columns(after)
    finally:
        drop_database(postgres_server, dsn)


def test_a_source_that_is_down_fails_with_a_reason_and_then_fails_fast(
    running: System, steward: httpx.Client
) -> None:
    source = register(
        steward, "down-pg", "postgresql", {"dsn": "postgresql://u:Secret-42@127.0.0.1:1/db"}
    )
    outcome = discover(steward, source)
    assert outcome["status"] == "failed"
    assert "127.0.0.1:1" in outcome["reason"]
    assert "Secret-42" not in str(outcome)
    started = time.monotonic()
    again = discover(steward, source)
    assert again["status"] == "failed"
    assert time.monotonic() - started < 10  # the circuit is open: no new round of retries


def test_discovery_of_an_unknown_or_decommissioned_source_is_refused(
    steward: httpx.Client,
) -> None:
    unknown = steward.post(
        f"{SOURCES}/discover", json={"data_source_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert_problem(unknown, 404)
    source = register(steward, "retired", "sqlite", {"path": "/srv/none.db"})
    assert steward.post(f"{SOURCES}/{source}/decommission", json={}).status_code == 200
    assert_problem(steward.post(f"{SOURCES}/discover", json={"data_source_id": source}), 409)
    assert_problem(steward.post(f"{SOURCES}/discover", json={"data_source_id": "x"}), 422)


def test_a_table_the_agent_may_not_read_is_reported_and_the_rest_cataloged(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    dsn = fresh_database(postgres_server)
    role = f"dw_reader_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(
                f"CREATE ROLE {role} LOGIN; "
                "CREATE SCHEMA hr; "
                "CREATE TABLE hr.teams (id int PRIMARY KEY, name text); "
                "CREATE TABLE hr.salaries (id int PRIMARY KEY, amount numeric(10,2)); "
                "INSERT INTO hr.teams SELECT g, 'team ' || g FROM generate_series(1, 20) g; "
                f"GRANT USAGE ON SCHEMA hr TO {role}; "
                f"GRANT SELECT ON hr.teams TO {role}; "
            )
        as_reader = dsn.replace("postgres@", f"{role}@", 1)
        source = register(steward, "hr-pg", "postgresql", {"dsn": as_reader})
        outcome = discover(steward, source)
        assert outcome["status"] == "completed", outcome
        skipped = outcome["summary"]["skipped"]
        assert [s["table"] for s in skipped] == ["hr.salaries"]
        assert "permission denied" in skipped[0]["reason"]
        assets = settled_assets(running, steward, source)
        assert set(assets) == {"hr.teams", "hr.salaries"}
        assert all(c["profile"] is None for c in assets["hr.salaries"]["columns"])
        assert all(c["profile"] is not None for c in assets["hr.teams"]["columns"])
    finally:
        drop_database(postgres_server, dsn)
        with psycopg.connect(postgres_server, autocommit=True) as db:
            db.execute(f"DROP ROLE IF EXISTS {role}")


def test_a_wrong_password_fails_the_discovery_without_showing_it(
    steward: httpx.Client,
) -> None:
    if not answers("127.0.0.1", 3306):
        pytest.skip("no MariaDB/MySQL answers on 127.0.0.1:3306")
    user = f"dw_{uuid.uuid4().hex[:8]}"
    root = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
    try:
        with root.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'Right-Pa55'")
        dsn = f"mysql://{user}:Wrong-Pa55@127.0.0.1:3306/test"
        source = register(steward, f"mysql-{user}", "mysql", {"dsn": dsn})
        outcome = discover(steward, source)
        assert outcome["status"] == "failed"
        assert "authentication failed" in outcome["reason"]
        assert "Wrong-Pa55" not in str(outcome)
    finally:
        with root.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        root.close()


def test_an_edge_agent_killed_mid_job_leaves_the_job_to_be_redone_without_duplicates(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    tables = 400
    dsn = fresh_database(postgres_server)
    try:
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(
                f"DO $$ BEGIN FOR i IN 1..{tables} LOOP "
                "EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, label text, "
                "amount numeric)', i); "
                "EXECUTE format('INSERT INTO t%s SELECT g, ''x'' || g, g FROM "
                "generate_series(1, 50) g', i); END LOOP; END $$"
            )
        source = register(steward, "many-tables", "postgresql", {"dsn": dsn})
        started = steward.post(f"{SOURCES}/discover", json={"data_source_id": source})
        assert started.status_code == 202
        deadline = time.monotonic() + DISCOVERY_TIMEOUT
        while not assets_of(steward, source):
            assert time.monotonic() < deadline, "no batch arrived"
            time.sleep(0.05)
        edge = running.components["edge"]
        edge.kill_hard()
        partial = len(assets_of(steward, source))
        edge.start()
        last = _wait_for_workflow(steward, source, started.json()["workflow_id"])
        assert last["status"] == "completed", last
        assets = settled_assets(running, steward, source)
        assert partial < tables
        assert len(assets) == tables
        with psycopg.connect(running.dsn) as conn:
            duplicated = conn.execute(
                "SELECT originator_id FROM datawave_events WHERE topic LIKE %s "
                "GROUP BY originator_id HAVING count(*) > 1",
                ("%Asset.Discovered%",),
            ).fetchall()
        assert duplicated == []
    finally:
        drop_database(postgres_server, dsn)


def test_a_mariadb_database_is_cataloged(running: System, steward: httpx.Client) -> None:
    if not answers("127.0.0.1", 3306):
        pytest.skip("no MariaDB/MySQL answers on 127.0.0.1:3306")
    name = f"dw_shop_{uuid.uuid4().hex[:8]}"
    root = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True)
    try:
        with root.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name}")
            cur.execute(
                f"CREATE TABLE {name}.customers (id INT PRIMARY KEY AUTO_INCREMENT, "
                "email VARCHAR(200) NOT NULL, birth_date DATE NULL)"
            )
            cur.execute(
                f"CREATE TABLE {name}.orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, "
                f"FOREIGN KEY (customer_id) REFERENCES {name}.customers(id))"
            )
            cur.execute(f"CREATE VIEW {name}.emails AS SELECT email FROM {name}.customers")
            cur.executemany(
                f"INSERT INTO {name}.customers (email) VALUES (%s)",
                [(f"c{i}@example.com",) for i in range(100)],
            )
        source = register(steward, name, "mysql", {"dsn": f"mysql://root@127.0.0.1:3306/{name}"})
        assert discover(steward, source)["status"] == "completed"
        assets = settled_assets(running, steward, source)
        assert set(assets) == {f"{name}.customers", f"{name}.orders", f"{name}.emails"}
        customers = assets[f"{name}.customers"]
        assert columns(customers) == {
            "id": ("int(11)", False),
            "email": ("varchar(200)", False),
            "birth_date": ("date", True),
        }
        assert customers["primary_key"] == ["id"]
        assert assets[f"{name}.orders"]["foreign_keys"][0]["references"] == f"{name}.customers"
        assert assets[f"{name}.emails"]["kind"] == "view"
        profile = {c["name"]: c["profile"] for c in customers["columns"]}
        assert profile["birth_date"]["null_ratio"] == 1.0
    finally:
        with root.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name}")
        root.close()


def test_a_parquet_file_is_cataloged(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": pa.array(range(300), pa.int64()),
            "city": pa.array([None if i % 3 == 0 else f"city {i % 7}" for i in range(300)]),
        }
    )
    path = tmp_path / "visits.parquet"
    pq.write_table(table, path)
    source = register(steward, "visits", "parquet", {"path": str(path)})
    assert discover(steward, source)["status"] == "completed"
    assets = settled_assets(running, steward, source)
    assert set(assets) == {"visits.parquet"}
    visits = assets["visits.parquet"]
    assert visits["kind"] == "file"
    assert visits["row_estimate"] == 300
    assert columns(visits) == {"id": ("int64", True), "city": ("string", True)}
    profile = {c["name"]: c["profile"] for c in visits["columns"]}
    assert profile["city"]["null_ratio"] == pytest.approx(1 / 3, abs=0.01)


def test_a_stewards_classification_survives_a_rescan(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE contacts "
            '(id INTEGER PRIMARY KEY, email TEXT, code TEXT, "unit/cost" REAL)'
        )
        db.executemany(
            "INSERT INTO contacts (email, code) VALUES (?, ?)",
            [(f"c{i}@example.com", f"K{i:04d}") for i in range(100)],
        )
    source = register(steward, "crm-sqlite", "sqlite", {"path": str(path)})
    assert discover(steward, source)["status"] == "completed"
    contacts = settled_assets(running, steward, source)["contacts"]
    url = f"{ASSETS}/{contacts['id']}/columns"
    analyst = {"Authorization": f"Bearer {running.token('analyst')}"}
    body = {"infotype": None, "reason": "synthetic test addresses only"}
    assert_problem(steward.put(f"{url}/email/classification", json=body, headers=analyst), 403)
    assert_problem(steward.put(f"{url}/nope/classification", json=body), 404)
    assert_problem(
        steward.put(f"{url}/email/classification", json={"infotype": "X", **{"reason": "r"}}), 422
    )
    decided = steward.put(f"{url}/email/classification", json=body)
    assert decided.status_code == 200, decided.text
    marked = steward.put(
        f"{url}/code/classification",
        json={"infotype": "MEDICAL_RECORD_NUMBER", "reason": "patient codes"},
    )
    assert marked.status_code == 200
    slashed = steward.put(f"{url}/unit%2Fcost/classification", json=body)  # a "/" in its name
    assert slashed.status_code == 200, slashed.text
    assert discover(steward, source)["status"] == "completed"
    running.wait_caught_up()
    after = by_name(steward.get(f"{ASSETS}/{contacts['id']}").json())
    assert (after["email"]["infotype"], after["email"]["method"]) == (None, "manual")
    assert after["email"]["evidence"] == {"reason": "synthetic test addresses only"}
    assert (after["code"]["infotype"], after["code"]["category"]) == (
        "MEDICAL_RECORD_NUMBER",
        "PHI",
    )
    events = steward.get("/api/v1/audit/events", params={"aggregate_id": contacts["id"]}).json()
    overrides = [e for e in events["items"] if e["type"] == "ClassificationOverridden"]
    assert [(o["actor"], o["data"]["name"]) for o in overrides] == [
        ("sam", "email"),
        ("sam", "code"),
        ("sam", "unit/cost"),
    ]
    assert overrides[0]["data"]["previous"]["infotype"] == "EMAIL_ADDRESS"
    # Taken back: the automatic decision applies again, with the rule set that made it.
    withdraw = f"{url}/email/classification/withdraw"
    reason = {"reason": "decided on the wrong column"}
    assert_problem(steward.post(withdraw, json=reason, headers=analyst), 403)
    assert_problem(steward.post(withdraw, json={"reason": ""}), 422)
    assert_problem(steward.post(f"{url}/id/classification/withdraw", json=reason), 409)
    taken_back = steward.post(withdraw, json=reason)
    assert taken_back.status_code == 200, taken_back.text
    token = {"consistency_token": taken_back.json()["consistency_token"]}
    email = by_name(steward.get(f"{ASSETS}/{contacts['id']}", params=token).json())["email"]
    assert (email["infotype"], email["method"]) == ("EMAIL_ADDRESS", "rules")
    first = next(
        e
        for e in events["items"]
        if e["type"] == "ColumnClassified" and e["data"]["name"] == "email"
    )
    assert email["rule_set"] == first["data"]["classification"]["rule_set"]
    assert email["model"] is None  # the model is off by default
    assert_problem(steward.post(withdraw, json=reason), 409)


def test_a_published_custom_rule_changes_the_next_scan(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "members.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE members (id INTEGER PRIMARY KEY, kundennr TEXT)")
        db.executemany(
            "INSERT INTO members (kundennr) VALUES (?)", [(f"KN-{i:06d}",) for i in range(50)]
        )
    source = register(steward, "members", "sqlite", {"path": str(path)})
    assert discover(steward, source)["status"] == "completed"
    members = settled_assets(running, steward, source)["members"]
    column = by_name(members)["kundennr"]
    assert column["infotype"] is None
    rule = {"infotype": "NATIONAL_ID", "value_pattern": r"KN-\d{6}", "confidence": 0.95}
    url = "/api/v1/classification/rule-set"
    assert_problem(steward.put(f"{url}/rules/kn", json={**rule, "value_pattern": "("}), 422)
    for not_a_share in (True, "0.9", 0, 1.5):
        assert_problem(
            steward.put(f"{url}/rules/kn", json={**rule, "confidence": not_a_share}), 422
        )
    assert steward.put(f"{url}/rules/kn", json=rule).status_code == 200
    assert discover(steward, source)["status"] == "completed"  # a draft changes nothing yet
    running.wait_caught_up()
    unpublished = by_name(steward.get(f"{ASSETS}/{members['id']}").json())
    assert unpublished["kundennr"]["infotype"] is None
    assert steward.post(f"{url}/publish").status_code == 200
    assert steward.get(url).json()["version"] == "default-v1"
    assert discover(steward, source)["status"] == "completed"
    running.wait_caught_up()
    after = by_name(steward.get(f"{ASSETS}/{members['id']}").json())
    assert (after["kundennr"]["infotype"], after["kundennr"]["method"]) == ("NATIONAL_ID", "rules")
    assert after["kundennr"]["evidence"]["custom_rule"] == "kn"
    events = steward.get("/api/v1/audit/events", params={"aggregate_id": members["id"]}).json()
    classified = [e for e in events["items"] if e["type"] == "ColumnClassified"]
    assert classified[-1]["data"]["classification"]["rule_set"] == "default-v1"


@contextmanager
def edge_with(running: System, **env: str) -> Iterator[None]:
    """The system's edge agent replaced, for the block, by one with these settings."""
    running.components["edge"].stop()
    log = running.data_dir / f"edge-{uuid.uuid4().hex[:6]}.log"
    edge = Component("edge", COMPONENTS["edge"], {**running.env, **env}, log)
    edge.start()
    try:
        yield
    finally:
        edge.stop()
        running.components["edge"].start()


def test_a_broken_model_file_makes_classification_fall_back_not_fail(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    broken = tmp_path / "model.joblib"
    broken.write_bytes(b"not a model")
    with edge_with(running, DATAWAVE_EDGE_MODEL=str(broken)):
        path = tmp_path / "people.db"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT)")
            db.executemany(
                "INSERT INTO people (email) VALUES (?)", [(f"p{i}@example.net",) for i in range(40)]
            )
        source = register(steward, "people-fallback", "sqlite", {"path": str(path)})
        assert discover(steward, source)["status"] == "completed"
        people = settled_assets(running, steward, source)["people"]
        email = by_name(people)["email"]
        assert (email["infotype"], email["method"]) == ("EMAIL_ADDRESS", "fallback")
        assert "fallback" in email["evidence"]


def test_an_agent_without_the_install_key_fails_the_job_with_a_reason_and_keeps_working(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    dsn = "postgresql://app:Sealed-Pa55@127.0.0.1:1/db"
    sealed = register(steward, "sealed-pg", "postgresql", {"dsn": dsn})
    path = tmp_path / "open.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    plain = register(steward, "open-sqlite", "sqlite", {"path": str(path)})
    with edge_with(running, DATAWAVE_SECRET_KEY="not-the-install-key"):
        failed = discover(steward, sealed)
        assert failed["status"] == "failed"
        assert "DATAWAVE_SECRET_KEY" in failed["reason"]
        assert "Sealed-Pa55" not in str(failed)
        assert discover(steward, plain)["status"] == "completed"  # the agent is still there


def test_a_postgres_fixture_with_sensitive_columns_gets_the_expected_infotypes(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    dsn = fresh_database(postgres_server)
    try:
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(
                "CREATE TABLE public.customers (id serial PRIMARY KEY, full_name text, "
                "email text, phone text, ssn text, iban text, card_number text, "
                "date_of_birth date, product_name text, order_count integer); "
                "INSERT INTO public.customers (full_name, email, phone, ssn, iban, card_number, "
                "  date_of_birth, product_name, order_count) "
                "SELECT 'Person ' || g, 'p' || g || '@example.com', "
                "  '+1 415 555 ' || lpad((1000 + g)::text, 4, '0'), "
                "  lpad((100 + g % 600)::text, 3, '0') || '-' || lpad((10 + g % 80)::text, 2, '0') "
                "    || '-' || lpad((1000 + g)::text, 4, '0'), "
                "  (ARRAY['DE89370400440532013000', 'GB82WEST12345698765432', "
                "         'NL91ABNA0417164300'])[1 + g % 3], "
                "  (ARRAY['4111111111111111', '5500005555555559', '340000000000009'])[1 + g % 3], "
                "  date '1950-01-01' + (g * 97 % 18000), 'Widget ' || g, g % 7 "
                "FROM generate_series(1, 400) g; ANALYZE;"
            )
        source = register(steward, "crm-pg", "postgresql", {"dsn": dsn})
        assert discover(steward, source)["status"] == "completed"
        customers = settled_assets(running, steward, source)["public.customers"]
        found = {c["name"]: c["infotype"] for c in customers["columns"]}
        assert found == {
            "id": None,
            "full_name": "PERSON_NAME",
            "email": "EMAIL_ADDRESS",
            "phone": "PHONE_NUMBER",
            "ssn": "US_SSN",
            "iban": "IBAN",
            "card_number": "CREDIT_CARD_NUMBER",
            "date_of_birth": "DATE_OF_BIRTH",
            "product_name": None,
            "order_count": None,
        }
        counts = steward.get(f"{SOURCES}/{source}").json()["classification_counts"]
        assert counts["category"] == {"PII": 5, "PCI": 2}
    finally:
        drop_database(postgres_server, dsn)


def test_an_agent_reads_no_file_outside_its_own_roots(
    running: System, steward: httpx.Client, tmp_path: Path
) -> None:
    allowed, elsewhere = tmp_path / "allowed", tmp_path / "elsewhere"
    allowed.mkdir()
    elsewhere.mkdir()
    with sqlite3.connect(elsewhere / "hr.db") as db:
        db.execute("CREATE TABLE salaries (id INTEGER PRIMARY KEY, amount REAL)")
    (allowed / "hr.db").symlink_to(elsewhere / "hr.db")  # a link out of the root
    source = register(steward, "linked-hr", "sqlite", {"path": str(allowed / "hr.db")})
    with edge_with(running, DATAWAVE_EDGE_FILE_ROOTS=str(allowed)):
        outcome = discover(steward, source)
    assert outcome["status"] == "failed"
    assert "allowed roots" in outcome["reason"]
