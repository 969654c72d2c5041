"""The public HTTP contract against the running system (API, relay, worker on real servers):
every status code the contract names, read-your-writes, pagination, audit and operations."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.http import SOURCES, assert_problem, visible
from tests.support import System


def as_role(system: System, role: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {system.token(role, subject=role + '-user')}"}
    return httpx.Client(base_url=system.api_url, headers=headers, timeout=30)


def register(client: httpx.Client, name: str, **extra: Any) -> httpx.Response:
    body = {"name": name, "kind": "sqlite", "connection": {"path": f"/data/{name}.db"}, **extra}
    return client.post(SOURCES, json=body)


def test_register_then_read_your_write(admin: httpx.Client) -> None:
    created = register(admin, "warehouse", owner="dora", tags=["pii", "pii", "eu"])
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["position"] > 0
    assert created.headers["location"] == f"{SOURCES}/{body['id']}"
    source = visible(admin, created)
    assert source["name"] == "warehouse"
    assert source["kind"] == "sqlite"
    assert source["owner"] == "dora"
    assert source["tags"] == ["pii", "eu"]
    assert source["status"] == "active"
    assert source["version"] == 1


def test_update_and_decommission_change_the_read_model(admin: httpx.Client) -> None:
    sid = register(admin, "lake").json()["id"]
    updated = admin.patch(f"{SOURCES}/{sid}", json={"owner": "ed", "expected_version": 1})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert visible(admin, updated)["owner"] == "ed"
    retired = admin.post(f"{SOURCES}/{sid}/decommission", json={"reason": "migrated"})
    assert retired.status_code == 200
    assert visible(admin, retired)["status"] == "decommissioned"
    assert_problem(admin.patch(f"{SOURCES}/{sid}", json={"owner": "x"}), 409)
    assert_problem(admin.post(f"{SOURCES}/{sid}/decommission"), 409)
    # The name is free again once its source is decommissioned.
    assert register(admin, "lake").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "sqlite", "connection": {"path": "/x"}},
        {"name": "x", "kind": "oracle", "connection": {"dsn": "oracle://x"}},
        {"name": "x", "kind": "postgresql", "connection": {"path": "/x"}},
        {"name": "x", "kind": "postgresql", "connection": {"dsn": "mysql://u@h/db"}},
        {"name": "x", "kind": "sqlite", "connection": {"path": "/x"}, "colour": "red"},
        {"name": "   ", "kind": "sqlite", "connection": {"path": "/x"}},
        {"name": "x", "kind": "sqlite", "connection": {"path": "/x"}, "tags": [""]},
        # PostgreSQL text cannot hold NUL: accepted, it used to stop the projection.
        {"name": "x", "kind": "sqlite", "connection": {"path": "/x"}, "owner": "a\u0000b"},
        {"name": "x", "kind": "sqlite", "connection": {"path": "/a\u0000b"}},
        {"name": "x", "kind": "sqlite", "connection": {"path": "/x"}, "tags": ["t" * 101]},
        {"name": "x", "kind": "sqlite", "connection": {"path": "/x" * 2049}},
        {
            "name": "x",
            "kind": "postgresql",
            "connection": {"dsn": "postgresql://a:b@h/d?password=c"},
        },
        {
            "name": "x",
            "kind": "postgresql",
            "connection": {"dsn": "postgresql://a@db:notaport/crm"},
        },
        {"name": "x", "kind": "postgresql", "connection": {"dsn": "postgresql://u:pw@[::1/x"}},
        {"name": "x", "kind": "postgresql", "connection": {"dsn": "postgresql://u@[zz]/x"}},
        {"name": "x", "kind": "postgresql", "connection": {"dsn": "postgresql://u@db:0/x"}},
        {"name": "x", "kind": "csv", "connection": {"path": "relative/dir"}},
        {"name": "x", "kind": "sqlite", "connection": {"path": "~/x.db"}},
        {"name": "x", "kind": "sqlite", "connection": {"path": "/x"}, "owner": "  "},
    ],
)
def test_invalid_bodies_are_422_and_change_nothing(
    running: System, admin: httpx.Client, body: dict[str, Any]
) -> None:
    before = running.event_store_head()
    assert_problem(admin.post(SOURCES, json=body), 422)
    assert running.event_store_head() == before


def test_expected_versions_must_be_integers(admin: httpx.Client) -> None:
    sid = register(admin, "strict").json()["id"]
    for version in ("1", True, 1.5):
        problem = assert_problem(
            admin.patch(f"{SOURCES}/{sid}", json={"owner": "x", "expected_version": version}), 422
        )
        # The detail names the field, as the domain's own checks do.
        assert problem["detail"].startswith("expected_version: "), problem
    both = admin.post(SOURCES, json={"name": "", "kind": "oracle", "connection": {}})
    assert assert_problem(both, 422)["detail"].endswith("(and 1 more)")


def test_asset_filters_take_taxonomy_ids_only(admin: httpx.Client) -> None:
    for bad in ({"infotype": "NOPE"}, {"infotype": "email_address"}, {"category": "pci"}):
        assert_problem(admin.get("/api/v1/assets", params=bad), 422)
    for fine in ({"infotype": "EMAIL_ADDRESS"}, {"category": "PCI"}, {"infotype": ""}):
        assert admin.get("/api/v1/assets", params=fine).status_code == 200


def test_malformed_json_is_422(admin: httpx.Client) -> None:
    response = admin.post(
        SOURCES, content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert assert_problem(response, 422)["detail"] == "the body is not valid JSON"
    for media_type in ("text/plain", "application/x-www-form-urlencoded"):
        labelled = admin.post(
            SOURCES, content=b'{"name": "x"}', headers={"content-type": media_type}
        )
        assert media_type in assert_problem(labelled, 415)["detail"]


def test_bodies_over_a_mebibyte_are_413_and_deep_nesting_is_422(
    running: System, admin: httpx.Client
) -> None:
    before = running.event_store_head()
    policies = "/api/v1/compliance/policies"
    condition: dict[str, Any] = {"field": "column.infotype", "op": "eq", "value": "EMAIL_ADDRESS"}
    rule = {"id": "r", "title": "t", "severity": "low", "when": condition}
    huge = {
        "name": "huge",
        "rules": [{**rule, "when": {**condition, "op": "in", "value": ["x" * 190] * 6000}}],
    }
    assert_problem(admin.post(policies, json=huge), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield json.dumps(huge).encode()

    chunked = admin.post(policies, content=chunks(), headers={"content-type": "application/json"})
    assert assert_problem(chunked, 413)["detail"] == "the request body is over 1024 KiB"
    for depth, detail in ((500, "nests deeper than 8 levels"), (5000, "not valid JSON")):
        nested = '{"not": ' * depth + json.dumps(condition) + "}" * depth  # beyond json.dumps
        body = json.dumps({"name": "deep", "rules": [{**rule, "when": "WHEN"}]})
        deep = admin.post(
            policies,
            content=body.replace('"WHEN"', nested),
            headers={"content-type": "application/json"},
        )
        assert detail in assert_problem(deep, 422)["detail"], depth
    assert running.event_store_head() == before


def test_unknown_ids_are_404(admin: httpx.Client) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(admin.get(f"{SOURCES}/{unknown}"), 404)
    assert_problem(admin.patch(f"{SOURCES}/{unknown}", json={"owner": "x"}), 404)
    assert_problem(admin.post(f"{SOURCES}/{unknown}/decommission"), 404)
    assert_problem(admin.get(f"{SOURCES}/not-a-uuid"), 422)


def test_duplicate_name_and_stale_version_are_409(admin: httpx.Client) -> None:
    sid = register(admin, "Billing").json()["id"]
    body = assert_problem(register(admin, "billing"), 409)
    assert "billing" in body["detail"].lower()
    assert admin.patch(f"{SOURCES}/{sid}", json={"owner": "a", "expected_version": 1}).is_success
    stale = admin.patch(f"{SOURCES}/{sid}", json={"owner": "b", "expected_version": 1})
    assert "version" in assert_problem(stale, 409)["detail"]


def test_concurrent_updates_with_one_expected_version_one_wins(admin: httpx.Client) -> None:
    sid = register(admin, "contended").json()["id"]
    results: list[int] = []
    barrier = threading.Barrier(2)

    def update(owner: str) -> None:
        barrier.wait()
        response = admin.patch(f"{SOURCES}/{sid}", json={"owner": owner, "expected_version": 1})
        results.append(response.status_code)

    threads = [threading.Thread(target=update, args=(o,)) for o in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]


def test_concurrent_updates_without_expected_version_both_land(admin: httpx.Client) -> None:
    created = register(admin, "shared")
    sid = created.json()["id"]
    responses: list[httpx.Response] = []
    barrier = threading.Barrier(2)

    def update(tags: list[str]) -> None:
        barrier.wait()
        responses.append(admin.patch(f"{SOURCES}/{sid}", json={"tags": tags}))

    threads = [threading.Thread(target=update, args=([t],)) for t in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status_code == 200 for r in responses)
    assert sorted(r.json()["version"] for r in responses) == [2, 3]
    last = max(responses, key=lambda r: r.json()["version"])
    assert visible(admin, last)["version"] == 3


def test_pagination_walks_every_source_once(admin: httpx.Client) -> None:
    for n in range(7):
        last = register(admin, f"page-{n}")
    visible(admin, last)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = admin.get(SOURCES, params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    everything = admin.get(SOURCES, params={"limit": 500}).json()["items"]
    assert {f"page-{n}" for n in range(7)} <= {item["name"] for item in everything}
    assert seen == [item["id"] for item in everything]
    assert_problem(admin.get(SOURCES, params={"cursor": "garbage!"}), 422)
    assert_problem(admin.get(SOURCES, params={"limit": 0}), 422)


def test_forged_cursors_are_422(admin: httpx.Client) -> None:
    register(admin, "cursor-a")
    token = register(admin, "cursor-b").json()["consistency_token"]
    page = admin.get(SOURCES, params={"limit": 1, "consistency_token": token})
    real = page.json()["next_cursor"]
    assert real is not None
    zero = "00000000-0000-4000-8000-000000000000"

    def forged(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode()

    anywhere = [forged(t) for t in ("2026-11-27T18:28:26+00:00|nope", "|", f"x\x00|{zero}")]
    anywhere += [real + "x", "%C2%B2"]
    by_time = forged(f"notadate|{zero}")  # assets page by name, which may be anything
    for url, cursors in (
        (SOURCES, [*anywhere, by_time]),
        ("/api/v1/scan/workflows", [*anywhere, by_time]),
        ("/api/v1/assets", anywhere),
    ):
        for cursor in cursors:
            got = admin.get(url, params={"cursor": cursor})
            assert got.status_code == 422, (url, cursor, got.text)
            assert_problem(got, 422)
    assert admin.get(SOURCES, params={"limit": 1, "cursor": real}).status_code == 200


def test_a_token_this_api_did_not_issue_is_422_without_waiting(admin: httpx.Client) -> None:
    sid = register(admin, "tokened").json()["id"]
    malformed = (
        f"{sid}.-1.-5",
        f"{sid}.0.3",
        f"{sid}.+2.3",
        "garbage",
        f"{sid}.1",
        f"{sid}.1.\u0663",
    )
    # Well formed, but naming a version or an aggregate the event store never held.
    unwritten = (f"{sid}.99.3", "00000000-0000-4000-8000-000000000000.1.1")
    for token in (*malformed, *unwritten):
        started = time.monotonic()
        assert_problem(admin.get(f"{SOURCES}/{sid}", params={"consistency_token": token}), 422)
        assert time.monotonic() - started < 2.0
    # As a header too, where an empty one is no more a token than an empty parameter.
    for token in ("garbage", ""):
        headers = {"X-Consistency-Token": token}
        assert_problem(admin.get(f"{SOURCES}/{sid}", headers=headers), 422)
        assert_problem(admin.get(f"{SOURCES}/{sid}", params={"consistency_token": token}), 422)
    # A write that changed nothing answers position 0; its token reads the version it names.
    changed = admin.patch(f"{SOURCES}/{sid}", json={"owner": "ivy"})
    again = admin.patch(f"{SOURCES}/{sid}", json={"owner": "ivy"})
    assert changed.status_code == again.status_code == 200, again.text
    assert again.json()["position"] == 0 and again.json()["version"] == 2
    token = again.json()["consistency_token"]
    read = admin.get(f"{SOURCES}/{sid}", params={"consistency_token": token})
    assert read.status_code == 200 and read.json()["owner"] == "ivy", read.text


def test_read_with_a_token_waits_for_the_projection(running: System, admin: httpx.Client) -> None:
    running.components["worker"].kill_hard()
    try:
        created = register(admin, "waiting")
        token = created.json()["consistency_token"]
        sid = created.json()["id"]
        started = time.monotonic()
        late = admin.get(f"{SOURCES}/{sid}", params={"consistency_token": token})
        assert_problem(late, 503)
        assert late.headers["retry-after"] == "1"
        assert time.monotonic() - started >= 4.0
        # A workflow just accepted is not "not found" while the read model is behind.
        started_scan = admin.post(f"{SOURCES}/discover", json={"data_source_id": sid})
        assert started_scan.status_code == 202, started_scan.text
        workflow = started_scan.json()["workflow_id"]
        assert_problem(admin.get(f"/api/v1/scan/workflows/{workflow}"), 503)
        # So is an event a Kafka consumer may fetch (a claim check's dataref) before the audit
        # trail has it.
        position = created.json()["position"]
        assert_problem(admin.get(f"/api/v1/audit/events/{position}"), 503)
    finally:
        running.components["worker"].start()
    # A hard-killed member holds its partitions until its session times out; then it resumes.
    assert visible(admin, created, patience=6)["name"] == "waiting"


def test_audit_lists_who_did_what(admin: httpx.Client, running: System) -> None:
    created = register(admin, "audited")
    sid = created.json()["id"]
    admin.patch(f"{SOURCES}/{sid}", json={"owner": "fay"}, headers={"X-Correlation-ID": "corr-42"})
    visible(admin, admin.post(f"{SOURCES}/{sid}/decommission"))
    with as_role(running, "auditor") as auditor:
        events = auditor.get("/api/v1/audit/events", params={"aggregate_id": sid}).json()["items"]
        assert [e["type"] for e in events] == ["Registered", "Updated", "Decommissioned"]
        assert all(e["actor"] == "ada" for e in events)
        assert events[1]["correlation_id"] == "corr-42"
        assert events[1]["data"]["changes"] == {"owner": "fay"}
        assert all(e["causation_id"] and e["time"] for e in events)
        by_type = auditor.get("/api/v1/audit/events", params={"type": "Decommissioned"})
        assert sid in {e["aggregate_id"] for e in by_type.json()["items"]}
        since = events[1]["time"]
        later = auditor.get("/api/v1/audit/events", params={"aggregate_id": sid, "since": since})
        assert [e["type"] for e in later.json()["items"]] == ["Updated", "Decommissioned"]
        none = auditor.get("/api/v1/audit/events", params={"actor": "nobody"}).json()["items"]
        assert none == []
        for bad in (
            {"since": events[2]["time"], "until": events[0]["time"]},  # backwards
            {"since": "2026-01-01T00:00:00"},  # no time zone: which day is meant?
            {"until": "yesterday"},
            {"actor": "x\x00"},  # no text column holds NUL
            {"type": "\x00"},
            {"cursor": "\u00b2"},  # a digit to str.isdigit, not to int()
            {"cursor": "\u0663"},  # an Arabic-Indic 3
        ):
            assert_problem(auditor.get("/api/v1/audit/events", params=bad), 422)


def test_tokens_are_required_and_checked(running: System) -> None:
    with httpx.Client(base_url=running.api_url, timeout=30) as anonymous:
        for path in (SOURCES, "/api/v1/audit/events", "/metrics"):
            body = assert_problem(anonymous.get(path), 401)
            assert "missing" in body["detail"]
        assert anonymous.get("/healthz").status_code == 200
        assert anonymous.get("/readyz").status_code == 200
        bad = {"Authorization": "Bearer not.a.jwt"}
        assert_problem(anonymous.get(SOURCES, headers=bad), 401)
        assert_problem(anonymous.get(SOURCES, headers={"Authorization": "Basic abc"}), 401)
        # Used while valid (so the API has verified and remembered it), then after it expired.
        short_lived = {"Authorization": f"Bearer {running.token('admin', ttl=3)}"}
        assert anonymous.get(SOURCES, headers=short_lived).status_code == 200
        time.sleep(3.1)
        assert (
            "expired" in assert_problem(anonymous.get(SOURCES, headers=short_lived), 401)["detail"]
        )
        foreign = {"Authorization": "Bearer " + forged_token()}
        assert_problem(anonymous.get(SOURCES, headers=foreign), 401)


def forged_token() -> str:
    from api.auth import issue_token

    return issue_token("some-other-install-with-its-own-secret", "mallory", ["admin"], 600)


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        ("analyst", "GET", SOURCES, 200),
        ("analyst", "POST", SOURCES, 403),
        ("analyst", "GET", "/api/v1/audit/events", 403),
        ("auditor", "GET", "/api/v1/audit/events", 200),
        ("auditor", "POST", SOURCES, 403),
        ("steward", "POST", SOURCES, 201),
        ("edge-agent", "GET", SOURCES, 403),
        ("analyst", "GET", "/metrics", 403),
        ("auditor", "GET", "/metrics", 200),
    ],
)
def test_roles_grant_only_their_permissions(
    running: System, role: str, method: str, path: str, status: int
) -> None:
    body = {"name": f"by-{role}-{method}", "kind": "csv", "connection": {"path": "/d"}}
    with as_role(running, role) as client:
        response = client.request(method, path, json=body if method == "POST" else None)
    if status >= 400:
        assert_problem(response, status)
    else:
        assert response.status_code == status


def test_who_asks_is_checked_before_what_they_sent(running: System) -> None:
    """An anonymous caller or a role without the permission learns nothing of the schema."""
    broken = {"content": b'{"name": ', "headers": {"content-type": "application/json"}}
    with httpx.Client(base_url=running.api_url, timeout=30) as anonymous:
        assert_problem(anonymous.post(SOURCES, **broken), 401)  # type: ignore[arg-type]
        assert_problem(anonymous.post(SOURCES, json={"colour": "red"}), 401)
    with as_role(running, "analyst") as analyst:
        assert_problem(analyst.post(SOURCES, **broken), 403)  # type: ignore[arg-type]
        assert_problem(analyst.post(SOURCES, json={"colour": "red"}), 403)


def test_operations_endpoints(admin: httpx.Client, running: System) -> None:
    register(admin, "metered")
    ready = admin.get("/readyz").json()
    assert ready == {
        "status": "ready",
        "checks": {"event_store": "ok", "redis": "ok", "kafka": "ok"},
    }
    running.wait_caught_up()
    metrics = admin.get("/metrics").text
    assert 'datawave_commands_total{command="RegisterDataSource",outcome="accepted"}' in metrics
    assert "datawave_events_appended_total" in metrics
    assert "datawave_relay_lag_events 0.0" in metrics
    assert 'datawave_projection_lag_events{projection="data_sources"} 0.0' in metrics
    assert "datawave_projection_dead_letters 0.0" in metrics
    openapi = admin.get("/openapi.json").json()
    assert "/api/v1/data-sources/{data_source_id}" in openapi["paths"]
    # A generated client knows the scheme and the errors' media type.
    (scheme,) = openapi["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    register_op = openapi["paths"][SOURCES]["post"]
    assert register_op["security"]
    for status in ("401", "403", "409", "422"):
        assert "application/problem+json" in register_op["responses"][status]["content"]
    assert "security" not in openapi["paths"]["/healthz"]["get"]


def test_a_burst_of_concurrent_reads_gets_answers_not_errors(
    running: System, admin: httpx.Client
) -> None:
    """Hundreds of readers at once queue for pooled connections instead of failing with 500."""
    created = register(admin, "popular")
    token = created.json()["consistency_token"]
    path = f"{SOURCES}/{created.json()['id']}"
    headers = dict(admin.headers)

    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=300)
        async with httpx.AsyncClient(
            base_url=running.api_url, headers=headers, timeout=60, limits=limits
        ) as client:
            responses = await asyncio.gather(
                *(client.get(path, params={"consistency_token": token}) for _ in range(250))
            )
        return [r.status_code for r in responses]

    assert set(asyncio.run(burst())) == {200}


def test_every_process_writes_json_log_lines(running: System) -> None:
    """Not on a terminal, each process logs one JSON object per line, its libraries' lines too."""
    for name, component in running.components.items():
        lines = component.log_path.read_text(errors="replace").splitlines()
        assert lines or name == "worker", f"{name} logged nothing"
        for line in lines:
            entry = json.loads(line)  # fails on any other text, e.g. a terminal escape code
            assert {"event", "level", "timestamp"} <= set(entry), f"{name}: {line}"
