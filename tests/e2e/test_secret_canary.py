"""A known password in a DSN must appear nowhere outside the sealed secret: not in a response,
a Kafka message, a log line, a read-model row, the Redis cache or the event store's clear text."""

from __future__ import annotations

import asyncio
import json

import httpx
import psycopg
import redis
from aiokafka import AIOKafkaConsumer, TopicPartition

from infra.postgres import EVENTS_TABLE
from infra.secret_box import AesGcmSecretBox
from infra.settings import Settings
from tests.e2e.http import SOURCES, visible
from tests.support import System

CANARY = "Canary-7f3a-Pa55w0rd"
ROTATED = "Rotated-91bc-Pa55w0rd"


async def kafka_records(bootstrap: str, topic: str) -> list[tuple[bytes | None, int, bytes]]:
    """Every record of the topic as (key, partition, value), each partition in offset order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[tuple[bytes | None, int, bytes]] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, values in batch.items():
                records += [(m.key, tp.partition, m.value) for m in values]
        return records
    finally:
        await consumer.stop()


async def kafka_messages(bootstrap: str, topic: str) -> list[bytes]:
    """Every message's value on the topic."""
    return [value for _, _, value in await kafka_records(bootstrap, topic)]


def test_the_password_appears_nowhere_in_clear_text(running: System, admin: httpx.Client) -> None:
    seen: list[str] = []

    def call(method: str, path: str, **kwargs: object) -> httpx.Response:
        response = admin.request(method, path, **kwargs)  # type: ignore[arg-type]
        seen.append(response.text + json.dumps(dict(response.headers)))
        return response

    dsn = f"postgresql://app:{CANARY}@db.internal:5432/crm"
    created = call(
        "POST", SOURCES, json={"name": "crm", "kind": "postgresql", "connection": {"dsn": dsn}}
    )
    assert created.status_code == 201
    sid = created.json()["id"]
    by_query = f"postgresql://db.internal/hr?user=app&password={CANARY}"
    body = {"name": "hr", "kind": "postgresql", "connection": {"dsn": by_query}}
    assert call("POST", SOURCES, json=body).status_code == 201
    # Refused requests must not echo the secret back either.
    assert call("POST", SOURCES, json={**body, "extra": 1}).status_code == 422
    assert call("POST", SOURCES, json=body).status_code == 409
    rotated = f"postgresql://app:{ROTATED}@db.internal:5432/crm"
    updated = call("PATCH", f"{SOURCES}/{sid}", json={"connection": {"dsn": rotated}})
    one = visible(admin, updated, patience=6)
    seen.append(repr(one))
    assert one["connection"] == {"dsn": "postgresql://app:***@db.internal:5432/crm"}
    call("GET", SOURCES)
    call("GET", "/api/v1/audit/events")
    running.wait_caught_up()

    places: dict[str, str] = {"responses": "\n".join(seen)}
    messages = asyncio.run(kafka_messages(running.bootstrap, "datawave.sources"))
    assert len(messages) >= 3
    places["kafka"] = b"\n".join(messages).decode()
    assert "db.internal" in places["kafka"]  # the redacted DSN is there; only the secret is not
    for name in ("api", "relay", "worker"):
        places[f"{name} log"] = (running.data_dir / f"{name}.log").read_text(errors="replace")
    assert "command_accepted" in places["api log"]
    with psycopg.connect(running.dsn) as conn:
        for table in ("rm_data_sources", "rm_audit_events"):
            rows = conn.execute(f"SELECT row_to_json(t)::text FROM {table} t").fetchall()
            places[table] = "\n".join(r[0] for r in rows)
        states = conn.execute(f"SELECT state FROM {EVENTS_TABLE}").fetchall()
    places["event store"] = b"\n".join(bytes(s[0]) for s in states).decode(errors="replace")
    cache = redis.Redis.from_url(running.redis_url)
    places["redis"] = "\n".join(
        str(cache.hgetall(key)) for key in cache.scan_iter(f"{running.redis_prefix}:*")
    )
    assert "crm" in places["redis"]

    for place, text in places.items():
        assert CANARY not in text, f"the password leaked into {place}"
        assert ROTATED not in text, f"the rotated password leaked into {place}"

    # The secret is kept, sealed: the install's key opens it for the edge agent that connects.
    box = AesGcmSecretBox(Settings(data_dir=running.data_dir).sealing_key())
    sealed = [s for s in places["event store"].split('"') if s.startswith("v1:")]
    assert {box.unseal(s) for s in sealed} == {CANARY, ROTATED}
