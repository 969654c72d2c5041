"""Embedded servers are real: data survives restarts and stop() leaves no process behind."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import psycopg
import pytest
import redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from infra.embedded import EmbeddedKafka, EmbeddedPostgres, EmbeddedRedis, free_port, wait_for_port


def _process_gone(pid: int) -> bool:
    """True when pid no longer exists (or is only a zombie awaiting its parent)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def test_wait_for_port_times_out_on_a_closed_port() -> None:
    with pytest.raises(TimeoutError):
        wait_for_port("127.0.0.1", free_port(), timeout=0.2)


def test_postgres_keeps_data_across_restart(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path)
    try:
        url = pg.start()
        assert url.startswith("postgresql://postgres@127.0.0.1:")
        assert url.endswith("/datawave")
        port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
        assert port != 5432
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (id int PRIMARY KEY, note text)")
            conn.execute("INSERT INTO kept VALUES (1, 'survives restart')")
        first_pid = pg.pid
        assert first_pid is not None
        pg.stop()
        pg.stop()  # idempotent
        assert pg.pid is None
        assert _process_gone(first_pid)

        url = pg.start()
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT note FROM kept WHERE id = 1").fetchone()
        assert row == ("survives restart",)
    finally:
        pg.stop()


def test_postgres_starts_after_unclean_kill(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path)
    try:
        url = pg.start()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE crash (id int)")
            conn.execute("INSERT INTO crash VALUES (7)")
        pid = pg.pid
        assert pid is not None
        os.kill(pid, 9)  # leaves a stale postmaster.pid behind
        pg.stop()
        url = pg.start()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT id FROM crash").fetchone() == (7,)
    finally:
        pg.stop()


def test_redis_keeps_data_across_restart(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    try:
        url = server.start()
        assert url.startswith("redis://127.0.0.1:")
        assert url.endswith("/0")
        client = redis.Redis.from_url(url)
        client.set("dw:key", b"value")
        assert client.get("dw:key") == b"value"
        client.close()
        pid = server.pid
        assert pid is not None
        server.stop()
        server.stop()  # idempotent
        assert _process_gone(pid)

        client = redis.Redis.from_url(server.start())
        assert client.get("dw:key") == b"value"
        client.close()
    finally:
        server.stop()


async def _produce_and_consume(bootstrap: str, topic: str) -> list[bytes]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        batches = await consumer.getmany(partition, timeout_ms=10_000)
        return [record.value for record in batches.get(partition, [])]
    finally:
        await consumer.stop()


async def _topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_kafka_roundtrip_and_restart_empties_topics(tmp_path: Path) -> None:
    kafka = EmbeddedKafka(tmp_path)
    try:
        bootstrap = kafka.start()
        host, port = bootstrap.split(":")
        assert host == "127.0.0.1"
        assert asyncio.run(_produce_and_consume(bootstrap, "dw.test")) == [b"hello"]
        assert "dw.test" in asyncio.run(_topics(bootstrap))

        old_pid = kafka.pid
        assert old_pid is not None
        kafka.restart()
        assert (
            kafka.start() == bootstrap
        )  # same port after restart; start() on a live broker is a no-op
        assert kafka.pid != old_pid
        assert _process_gone(old_pid)
        assert "dw.test" not in asyncio.run(_topics(bootstrap))
        assert (tmp_path / "kafka.log").exists()

        pid = kafka.pid
        assert pid is not None
        kafka.stop()
        kafka.stop()  # idempotent
        assert kafka.pid is None
        assert _process_gone(pid)
        with pytest.raises(TimeoutError):
            wait_for_port(host, int(port), timeout=0.5)
    finally:
        kafka.stop()
