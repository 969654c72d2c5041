"""Scan workflows end to end, on the running system (API, relay, worker, edge agent) and a real
PostgreSQL source holding personal data, card numbers and card verification codes: stages,
findings, reports, fixes, failures, cancel, roll-back, policies and compliance as of a past time.
"""

from __future__ import annotations

import contextlib
import csv
import io
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import psycopg
from faker import Faker

from domain.findings import ledger_id
from tests.e2e.http import SOURCES, assert_problem
from tests.support import System, drop_database, fresh_database

SCANS = "/api/v1/scan"
COMPLIANCE = "/api/v1/compliance"
ASSETS = "/api/v1/assets"
SCAN_TIMEOUT = 120.0
STAGES = ["discover", "profile", "classify", "evaluate", "report"]
CVV_RULE = "pci-dss.no-stored-card-verification-code"
OWNER_RULE = "gdpr.personal-data-has-owner"


SYSTEM_PARTS = ("api", "relay", "worker", "edge")  # the e2e `running` fixture starts these


def shop_database(server: str, customers: int = 120) -> str:
    """A shop with customers (names, e-mails, phones, birth dates) and payments (card numbers
    and the codes on their backs), from seeded generated data."""
    fake = Faker("en_US")
    fake.seed_instance(20261127)
    dsn = fresh_database(server)
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(
            "CREATE SCHEMA shop; "
            "CREATE TABLE shop.customers (id serial PRIMARY KEY, full_name text, email text, "
            "  phone text, date_of_birth date); "
            "CREATE TABLE shop.payments (id serial PRIMARY KEY, customer_id int, "
            "  card_number text, cvv text, amount numeric(10, 2)); "
            "CREATE TABLE shop.products (id serial PRIMARY KEY, product_name text, price int);"
        )
        with db.cursor() as cur:
            cur.executemany(
                "INSERT INTO shop.customers (full_name, email, phone, date_of_birth) "
                "VALUES (%s, %s, %s, %s)",
                [
                    (
                        fake.name(),
                        fake.unique.email(),
                        fake.phone_number(),
                        fake.date_of_birth(minimum_age=18, maximum_age=90),
                    )
                    for _ in range(customers)
                ],
            )
            cur.executemany(
                "INSERT INTO shop.payments (customer_id, card_number, cvv, amount) "
                "VALUES (%s, %s, %s, %s)",
                [
                    (
                        n % customers + 1,
                        fake.credit_card_number(card_type="visa16"),
                        fake.credit_card_security_code(card_type="visa16"),
                        fake.pydecimal(left_digits=3, right_digits=2, positive=True),
                    )
                    for n in range(customers * 2)
                ],
            )
            cur.executemany(
                "INSERT INTO shop.products (product_name, price) VALUES (%s, %s)",
                [(fake.catch_phrase(), n) for n in range(50)],
            )
    return dsn


def register(client: httpx.Client, name: str, dsn: str, **extra: Any) -> str:
    body = {"name": name, "kind": "postgresql", "connection": {"dsn": dsn}, **extra}
    created = client.post(SOURCES, json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def start(client: httpx.Client, source: str, **body: Any) -> str:
    started = client.post(f"{SCANS}/workflow/execute", json={"data_source_id": source, **body})
    assert started.status_code == 202, started.text
    assert started.headers["Location"].endswith(started.json()["workflow_id"])
    return str(started.json()["workflow_id"])


def current(client: httpx.Client, workflow_id: str) -> dict[str, Any] | None:
    """The workflow as the API shows it; None while the read model does not hold it yet (a
    restarted worker catches up: 503, retry)."""
    got = client.get(f"{SCANS}/workflows/{workflow_id}")
    if got.status_code == 503:
        assert got.headers["retry-after"] == "1"
        return None
    assert got.status_code == 200, got.text
    return dict(got.json())


def wait_ended(
    client: httpx.Client, workflow_id: str, seen: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Poll the workflow until it ends; `seen` collects every state shown on the way."""
    deadline = time.monotonic() + SCAN_TIMEOUT
    while time.monotonic() < deadline:
        workflow = current(client, workflow_id)
        if workflow is not None and seen is not None:
            seen.append(workflow)
        if workflow is not None and workflow["status"] in ("completed", "failed", "cancelled"):
            return workflow
        time.sleep(0.1)
    raise AssertionError(f"workflow {workflow_id} did not end within {SCAN_TIMEOUT} s")


def scan(client: httpx.Client, source: str, **body: Any) -> dict[str, Any]:
    workflow = wait_ended(client, start(client, source, **body))
    assert workflow["status"] == "completed", workflow
    return workflow


def report_of(client: httpx.Client, workflow_id: str) -> dict[str, Any]:
    got = client.get(f"{COMPLIANCE}/reports/{workflow_id}")
    assert got.status_code == 200, got.text
    return dict(got.json())


def violations(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["qualified_name"], f["column"]) for f in report["findings"]}


def metrics(running: System) -> dict[str, float]:
    """The Prometheus samples /metrics shows, by name and labels."""
    token = running.token("auditor")
    text = httpx.get(
        f"{running.api_url}/metrics", headers={"Authorization": f"Bearer {token}"}
    ).text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def classified(running: System, client: httpx.Client, source: str) -> dict[tuple[str, str], Any]:
    running.wait_caught_up()
    page = client.get(ASSETS, params={"data_source_id": source, "limit": 100}).json()
    return {
        (a["qualified_name"], c["name"]): c["infotype"] for a in page["items"] for c in a["columns"]
    }


def test_a_full_scan_reports_gdpr_and_pci_findings_and_a_scan_after_the_fix_resolves_them(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    dsn = shop_database(postgres_server)
    try:
        source = register(steward, "shop", dsn)
        seen: list[dict[str, Any]] = []
        first = wait_ended(steward, start(steward, source), seen)
        assert first["status"] == "completed", first
        assert [s["name"] for s in first["stages"]] == STAGES
        for stage in first["stages"]:
            assert stage["status"] == "completed" and stage["attempts"] == 1, stage
            assert stage["started_at"] <= stage["completed_at"]
        # Progress was visible while it ran: some poll saw a stage still going.
        assert (
            any(s["status"] in ("running", "pending") for w in seen[:-1] for s in w["stages"])
            or len(seen) == 1
        )
        decided = classified(running, steward, source)
        assert decided[("shop.payments", "card_number")] == "CREDIT_CARD_NUMBER"
        assert decided[("shop.payments", "cvv")] == "CARD_VERIFICATION_CODE"
        assert decided[("shop.customers", "email")] == "EMAIL_ADDRESS"
        assert decided[("shop.products", "product_name")] is None

        report = report_of(steward, first["id"])
        found = violations(report)
        assert (CVV_RULE, "shop.payments", "cvv") in found
        assert ("pci-dss.card-numbers-unreadable", "shop.payments", "card_number") in found
        assert (OWNER_RULE, "shop.customers", "email") in found
        assert not any(q == "shop.products" for _, q, _ in found)
        cvv = next(f for f in report["findings"] if f["rule_id"] == CVV_RULE)
        assert cvv["severity"] == "critical" and "3.3.1.2" in cvv["reference"]
        assert cvv["evidence"]["column.infotype"] == "CARD_VERIFICATION_CODE"
        assert report["counts"]["total"] == len(report["findings"])
        assert report["counts"]["by_policy"]["PCI DSS v4.0"] == 2
        assert {a["qualified_name"] for a in report["assets"]} == {
            "shop.customers",
            "shop.payments",
        }
        assert len(report["changes"]["opened"]) == len(report["findings"])

        as_csv = steward.get(f"{COMPLIANCE}/reports/{first['id']}", headers={"Accept": "text/csv"})
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert len(rows) == len(report["findings"])
        assert {r["rule_id"] for r in rows} >= {CVV_RULE, OWNER_RULE}
        before_fix = datetime.now(UTC)
        running.wait_caught_up()
        scraped = metrics(running)
        assert scraped['datawave_findings_open{policy="PCI DSS v4.0",severity="critical"}'] >= 1
        assert (
            scraped['datawave_scan_stage_seconds_count{outcome="completed",stage="evaluate"}'] >= 1
        )

        # The fix: codes dropped, the source owned and its card numbers encrypted.
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute("ALTER TABLE shop.payments DROP COLUMN cvv")
        patched = steward.patch(
            f"{SOURCES}/{source}", json={"owner": "shop-team", "tags": ["encrypted"]}
        )
        assert patched.status_code == 200, patched.text
        second = scan(steward, source)
        fixed = report_of(steward, second["id"])
        assert fixed["findings"] == [] and fixed["counts"]["total"] == 0
        assert fixed["changes"]["previous_workflow_id"] == first["id"]
        resolved = {
            (f["rule_id"], f["qualified_name"], f["column"]) for f in fixed["changes"]["resolved"]
        }
        assert resolved == found

        # Were we compliant before the fix? The past answer, rebuilt from the events.
        past = steward.get(
            f"{COMPLIANCE}/evaluation",
            params={"as_of": before_fix.isoformat(), "data_source_id": source},
        )
        assert past.status_code == 200, past.text
        assert violations(past.json()) == found
        now = steward.get(
            f"{COMPLIANCE}/evaluation",
            params={"as_of": datetime.now(UTC).isoformat(), "data_source_id": source},
        )
        assert now.json()["findings"] == []
        naive = steward.get(f"{COMPLIANCE}/evaluation", params={"as_of": "2026-03-01T00:00:00"})
        assert_problem(naive, 422)
        # An id that names nothing is not "compliant": 404, for a policy or a source.
        as_of = {"as_of": datetime.now(UTC).isoformat()}
        unknown = "00000000-0000-4000-8000-000000000000"
        for wrong in ({"policy_id": unknown}, {"policy_id": source}, {"data_source_id": unknown}):
            assert_problem(steward.get(f"{COMPLIANCE}/evaluation", params={**as_of, **wrong}), 404)
    finally:
        drop_database(postgres_server, dsn)


def test_one_scan_per_source_cancel_and_roll_back(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    dsn = shop_database(postgres_server)
    try:
        source = register(steward, "shop-cancel", dsn)
        running_one = start(steward, source)
        second = steward.post(f"{SCANS}/workflow/execute", json={"data_source_id": source})
        problem = assert_problem(second, 409)
        assert running_one in problem["detail"]
        cancelled = steward.post(f"{SCANS}/workflows/{running_one}/cancel")
        assert cancelled.status_code == 202, cancelled.text
        ended = wait_ended(steward, running_one)
        assert ended["status"] == "cancelled"
        assert ended["stages"][-1]["status"] == "pending"  # the stages after it never ran
        assert_problem(steward.post(f"{SCANS}/workflows/{running_one}/cancel"), 409)

        # A full scan, a steward's decision on one column, then the scan rolled back.
        done = scan(steward, source)
        decided = classified(running, steward, source)
        assert decided[("shop.customers", "email")] == "EMAIL_ADDRESS"
        customers = next(
            a
            for a in steward.get(ASSETS, params={"data_source_id": source}).json()["items"]
            if a["qualified_name"] == "shop.customers"
        )
        override = steward.put(
            f"{ASSETS}/{customers['id']}/columns/phone/classification",
            json={"infotype": "PHONE_NUMBER", "reason": "checked by hand"},
        )
        assert override.status_code == 200, override.text
        rolled = steward.post(f"{SCANS}/workflows/{done['id']}/rollback")
        assert rolled.status_code == 202, rolled.text
        # Given the roll-back's token, the workflow read shows it at once.
        token = {"consistency_token": rolled.json()["consistency_token"]}
        shown = steward.get(f"{SCANS}/workflows/{done['id']}", params=token).json()
        assert shown["rolled_back"] is not None
        bad = {"consistency_token": "not-a-token"}
        assert_problem(steward.get(f"{SCANS}/workflows/{done['id']}", params=bad), 422)
        after = classified(running, steward, source)
        assert after[("shop.customers", "email")] is None
        assert after[("shop.payments", "card_number")] is None
        assert after[("shop.customers", "phone")] == "PHONE_NUMBER"  # the steward's stays
        workflow = steward.get(f"{SCANS}/workflows/{done['id']}").json()
        assert workflow["rolled_back"]["columns"] >= 4
        assert_problem(steward.post(f"{SCANS}/workflows/{done['id']}/rollback"), 409)
        audit = steward.get(
            "/api/v1/audit/events", params={"aggregate_id": done["id"], "type": "RolledBack"}
        ).json()["items"]
        assert [e["actor"] for e in audit] == ["sam"]
        listed = steward.get(f"{SCANS}/workflows", params={"data_source_id": source}).json()
        assert [w["id"] for w in listed["items"]] == [done["id"], running_one]
    finally:
        drop_database(postgres_server, dsn)


class Proxy:
    """A TCP relay in front of the source that can be taken down, as a network cut would."""

    def __init__(self, port: int, *, down_after_first: bool = False) -> None:
        """With `down_after_first`, it goes down as its first connection ends: the source is cut
        between the discover stage, which opened that connection, and the next stage."""
        self.target = ("127.0.0.1", port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.down_after_first = down_after_first
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            sink.close()
            if self.down_after_first:
                self.down()

    def down(self) -> None:
        self.listener.close()
        for conn in self.open:
            # close() alone neither wakes the relay thread blocked reading this socket nor sends
            # the peer a FIN: the agent's query would then wait forever on a silent connection.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


def test_a_source_going_down_mid_workflow_is_retried_then_fails_with_the_reason(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    dsn = shop_database(postgres_server)
    # Cut once discovery's connection ends: watching the workflow for the moment discovery
    # completed and cutting then raced the next stages, which on a fast machine were done first.
    proxy = Proxy(5432, down_after_first=True)
    try:
        via_proxy = dsn.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        source = register(steward, "shop-flaky", via_proxy)
        workflow_id = start(steward, source)
        ended = wait_ended(steward, workflow_id)
        assert ended["stages"][0]["status"] == "completed", ended
        assert ended["status"] == "failed", ended
        failed = next(s for s in ended["stages"] if s["status"] == "failed")
        assert failed["name"] in ("profile", "classify")
        assert failed["attempts"] == 3
        assert ended["reason"].startswith(f"stage {failed['name']} failed after 3 attempts: ")
        assert f"127.0.0.1:{proxy.port}" in ended["reason"]
        events = steward.get(
            "/api/v1/audit/events", params={"aggregate_id": workflow_id, "type": "StageRetried"}
        ).json()["items"]
        assert len(events) == 2
        running.wait_caught_up()
        retries = metrics(running)[f'datawave_scan_stage_retries_total{{stage="{failed["name"]}"}}']
        assert retries >= 2
        # The failed scan released the source: the next one is accepted.
        assert steward.get(f"{SOURCES}/{source}").json()["last_discovery"]["status"] == "failed"
    finally:
        proxy.down()
        drop_database(postgres_server, dsn)


def test_a_worker_killed_mid_workflow_resumes_without_duplicate_findings(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    dsn = shop_database(postgres_server, customers=60)
    try:
        source = register(steward, "shop-crash", dsn)
        workflow_id = start(steward, source)
        worker = running.components["worker"]
        worker.kill_hard()
        time.sleep(0.5)
        worker.start()
        deadline = time.monotonic() + SCAN_TIMEOUT
        while True:  # a second crash, once the workflow is under way
            workflow = current(steward, workflow_id)
            if workflow and any(s["status"] == "completed" for s in workflow["stages"]):
                break
            assert time.monotonic() < deadline
            time.sleep(0.02)
        worker.kill_hard()
        time.sleep(0.5)
        worker.start()
        ended = wait_ended(steward, workflow_id)
        assert ended["status"] == "completed", ended
        report = report_of(steward, workflow_id)
        assert (CVV_RULE, "shop.payments", "cvv") in violations(report)
        with psycopg.connect(running.dsn) as conn:
            opened = conn.execute(
                "SELECT data->>'finding_id' FROM rm_audit_events "
                "WHERE aggregate_id = %s AND type = 'FindingOpened'",
                (ledger_id(UUID(source)),),
            ).fetchall()
        ids = [row[0] for row in opened]
        assert ids and len(ids) == len(set(ids)) == len(report["findings"])
    finally:
        drop_database(postgres_server, dsn)


def test_policies_are_data_checked_versioned_and_applied_to_the_next_evaluation(
    running: System, steward: httpx.Client, postgres_server: str
) -> None:
    listed = steward.get(f"{COMPLIANCE}/policies").json()["items"]
    assert {p["pack"] for p in listed} >= {"gdpr", "pci-dss", "hipaa"}
    invalid = steward.post(
        f"{COMPLIANCE}/policies",
        json={
            "name": "broken",
            "rules": [
                {
                    "id": "r1",
                    "title": "t",
                    "severity": "high",
                    "when": {"field": "column.infotype", "op": "like", "value": "EMAIL"},
                }
            ],
        },
    )
    problem = assert_problem(invalid, 422)
    assert "rules[0].when.op" in problem["detail"]
    analyst = {"Authorization": f"Bearer {running.token('analyst')}"}
    forbidden = httpx.post(
        f"{running.api_url}{COMPLIANCE}/policies", json={"name": "x", "rules": []}, headers=analyst
    )
    assert forbidden.status_code == 403

    rule = {
        "id": "no-emails",
        "title": "No e-mail addresses in the shop",
        "severity": "low",
        "when": {"field": "column.infotype", "op": "eq", "value": "EMAIL_ADDRESS"},
    }
    created = steward.post(f"{COMPLIANCE}/policies", json={"name": "shop rules", "rules": [rule]})
    assert created.status_code == 201, created.text
    policy_id = created.json()["id"]
    dsn = shop_database(postgres_server, customers=40)
    try:
        source = register(steward, "shop-policies", dsn)
        first = scan(steward, source, policy_ids=[policy_id])
        assert violations(report_of(steward, first["id"])) == {
            ("no-emails", "shop.customers", "email")
        }
        changed = steward.patch(
            f"{COMPLIANCE}/policies/{policy_id}",
            json={"rules": [{**rule, "when": {**rule["when"], "value": "PHONE_NUMBER"}}]},
        )
        assert changed.status_code == 200, changed.text
        assert steward.get(f"{COMPLIANCE}/policies/{policy_id}").json()["revision"] == 2
        second = scan(steward, source, stages=["evaluate", "report"], policy_ids=[policy_id])
        report = report_of(steward, second["id"])
        assert violations(report) == {("no-emails", "shop.customers", "phone")}
        assert [f["column"] for f in report["changes"]["resolved"]] == ["email"]
        assert report["policies"][0]["revision"] == 2
        retired = steward.post(f"{COMPLIANCE}/policies/{policy_id}/retire", json={"reason": "done"})
        assert retired.status_code == 200, retired.text
        refused = steward.post(
            f"{SCANS}/workflow/execute",
            json={"data_source_id": source, "policy_ids": [policy_id]},
        )
        assert_problem(refused, 422)
        bad_stages = steward.post(
            f"{SCANS}/workflow/execute", json={"data_source_id": source, "stages": ["report"]}
        )
        assert_problem(bad_stages, 422)
    finally:
        drop_database(postgres_server, dsn)
