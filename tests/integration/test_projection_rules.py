"""The projection on real PostgreSQL and Redis: duplicates skipped, gaps filled from the store."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import psycopg
import redis.asyncio as aredis

from commands.messages import RegisterDataSource, UpdateDataSource
from infra.envelope import CONTEXTS, encode, topic_for
from infra.event_log import EventLog
from infra.postgres import create_schema
from infra.read_models import RedisSourceCache
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store
from streams.projector import Projector
from tests.support import META, read_model_rows

SOURCES_TOPIC = topic_for(CONTEXTS["DataSource"])


def test_duplicates_are_skipped_and_gaps_filled(database: str, redis_url: str) -> None:
    create_schema(database)
    app = open_event_store(database, AesGcmSecretBox("k"))
    sid = app.register(RegisterDataSource("gappy", "csv", {"path": "/d"}), META).aggregate_id
    app.update(UpdateDataSource(sid, owner="second"), META)
    app.update(UpdateDataSource(sid, tags=["third"]), META)
    log = EventLog(app, database)
    envelopes = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]
    v1, _v2, v3 = envelopes

    async def run() -> dict[str, Any]:
        client = aredis.Redis.from_url(redis_url)
        projector = Projector(database, RedisSourceCache(client, "dwtest:gap"), log)
        try:
            # v2 never arrives: v3 reveals the gap, and v2 is read from the event store.
            await projector.apply([(SOURCES_TOPIC, 0, v1), (SOURCES_TOPIC, 0, v3)])
            # Redelivery of everything: nothing changes twice.
            await projector.apply([(SOURCES_TOPIC, 0, e) for e in (v1, v3, v1)])
            cached = await projector.cache.get(sid)
            await client.delete(projector.cache.key(str(sid)))
            assert cached is not None
            return cached
        finally:
            await client.aclose()

    cached = asyncio.run(run())
    row = read_model_rows(database)[str(sid)]
    assert (row["version"], row["owner"], row["tags"]) == (3, "second", ["third"])
    assert (cached["version"], cached["owner"], cached["tags"]) == (3, "second", ["third"])
    app.close()


def test_an_event_holding_nul_is_projected_with_the_rest_of_its_batch(
    database: str, redis_url: str
) -> None:
    """PostgreSQL text cannot hold NUL; such an event (here from the command side, which the API
    now refuses, or from a source's own data) must not stop the batch it arrives in."""
    create_schema(database)
    app = open_event_store(database, AesGcmSecretBox("k"))
    odd = app.register(RegisterDataSource("odd", "csv", {"path": "/d"}, owner="a\x00b"), META)
    plain = app.register(RegisterDataSource("plain", "csv", {"path": "/e"}), META)
    app.update(UpdateDataSource(odd.aggregate_id, tags=["t\x00"]), META)
    log = EventLog(app, database)
    envelopes = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]
    first, second, third = envelopes

    async def run() -> None:
        client = aredis.Redis.from_url(redis_url)
        projector = Projector(database, RedisSourceCache(client, "dwtest:nul"), log)
        try:
            await projector.apply([(SOURCES_TOPIC, 0, first), (SOURCES_TOPIC, 0, second)])
            # The NUL-holding source's next event, in a batch of its own.
            await projector.apply([(SOURCES_TOPIC, 0, third)])
        finally:
            for sid in (odd.aggregate_id, plain.aggregate_id):
                await client.delete(projector.cache.key(str(sid)))
            await client.aclose()

    asyncio.run(run())
    rows = read_model_rows(database)
    assert rows[str(odd.aggregate_id)]["owner"] == "a\ufffdb"
    assert rows[str(odd.aggregate_id)]["tags"] == ["t\ufffd"]
    assert rows[str(plain.aggregate_id)]["name"] == "plain"
    app.close()


def test_a_poison_event_is_parked_with_its_aggregates_later_events_and_the_rest_flows(
    database: str, redis_url: str
) -> None:
    create_schema(database)
    app = open_event_store(database, AesGcmSecretBox("k"))
    bad = app.register(RegisterDataSource("bad", "csv", {"path": "/b"}), META).aggregate_id
    good = app.register(RegisterDataSource("good", "csv", {"path": "/g"}), META).aggregate_id
    app.update(UpdateDataSource(bad, owner="later"), META)
    app.update(UpdateDataSource(good, owner="fine"), META)
    log = EventLog(app, database)
    bad_v1, good_v1, bad_v2, good_v2 = [
        encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None
    ]
    # A registration this projection cannot read (as from a producer of another version).
    poisoned = json.loads(bad_v1)
    del poisoned["data"]["name"]
    poison = json.dumps(poisoned).encode()
    bad_v3 = app.update(UpdateDataSource(bad, tags=["x"]), META)

    async def run() -> None:
        client = aredis.Redis.from_url(redis_url)
        projector = Projector(database, RedisSourceCache(client, "dwtest:poison"), log)
        try:
            await projector.apply([(SOURCES_TOPIC, 0, m) for m in (poison, good_v1, bad_v2)])
            await projector.apply([(SOURCES_TOPIC, 0, good_v2)])
            # A later event of the parked aggregate, in a batch of its own, parks too.
            (v3,) = [
                encode(e.envelope)
                for e in log.read(bad_v3.position - 1, 1)
                if e.envelope is not None
            ]
            await projector.apply([(SOURCES_TOPIC, 0, v3)])
        finally:
            for sid in (bad, good):
                await client.delete(projector.cache.key(str(sid)))
            await client.aclose()

    asyncio.run(run())
    rows = read_model_rows(database)
    assert str(bad) not in rows
    assert (rows[str(good)]["version"], rows[str(good)]["owner"]) == (2, "fine")
    with psycopg.connect(database) as conn:
        parked = conn.execute(
            "SELECT aggregate_id, aggregate_version, reason FROM projection_dead_letters "
            "ORDER BY position"
        ).fetchall()
        applied = conn.execute(
            "SELECT MIN(position) FROM projection_positions WHERE topic = %s", (SOURCES_TOPIC,)
        ).fetchone()
    assert [(a, v) for a, v, _ in parked] == [(str(bad), 1), (str(bad), 2), (str(bad), 3)]
    assert parked[0][2].startswith("KeyError")
    assert all("earlier event" in reason for _, _, reason in parked[1:])
    # Parked counts as handled: the projections' positions moved past it.
    assert applied is not None and applied[0] == bad_v3.position
    app.close()


def test_a_connection_left_in_a_failed_transaction_does_not_park_the_next_batch(
    database: str, redis_url: str
) -> None:
    create_schema(database)
    app = open_event_store(database, AesGcmSecretBox("k"))
    sid = app.register(RegisterDataSource("after", "csv", {"path": "/a"}), META).aggregate_id
    log = EventLog(app, database)
    (registered,) = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]

    async def run() -> None:
        client = aredis.Redis.from_url(redis_url)
        projector = Projector(database, RedisSourceCache(client, "dwtest:failed-tx"), log)
        try:
            # As a read after a batch's commit can leave it: inside a transaction that failed.
            conn = await projector._connection()
            with contextlib.suppress(psycopg.errors.DivisionByZero):
                await conn.execute("SELECT 1 / 0")
            await projector.apply([(SOURCES_TOPIC, 0, registered)])
        finally:
            await client.delete(projector.cache.key(str(sid)))
            await client.aclose()

    asyncio.run(run())
    assert read_model_rows(database)[str(sid)]["name"] == "after"
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM projection_dead_letters").fetchone() == (0,)
    app.close()


def test_parked_events_replay_once_what_made_them_fail_is_fixed(
    database: str, redis_url: str
) -> None:
    create_schema(database)
    app = open_event_store(database, AesGcmSecretBox("k"))
    held = app.register(RegisterDataSource("held", "csv", {"path": "/h"}), META).aggregate_id
    app.update(UpdateDataSource(held, owner="then"), META)
    log = EventLog(app, database)
    messages = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]
    # What makes them fail: a rule of the read model's that the events break (say, a migration
    # gone wrong), put right afterwards.
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE rm_data_sources ADD CONSTRAINT no_held CHECK (name <> 'held') NOT VALID"
        )

    async def run() -> tuple[list[Any], list[Any]]:
        client = aredis.Redis.from_url(redis_url)
        projector = Projector(database, RedisSourceCache(client, "dwtest:replay"), log)
        try:
            await projector.apply([(SOURCES_TOPIC, 0, m) for m in messages])
            before = await projector.replay_parked()  # still failing: stays parked
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute("ALTER TABLE rm_data_sources DROP CONSTRAINT no_held")
            after = await projector.replay_parked()
            return before, after
        finally:
            await projector.close()
            await client.delete(projector.cache.key(str(held)))
            await client.aclose()

    before, after = asyncio.run(run())
    assert [(r.aggregate_id, r.events) for r in before] == [(str(held), 2)]
    assert before[0].failure is not None and "CheckViolation" in before[0].failure
    assert [(r.aggregate_id, r.events, r.failure) for r in after] == [(str(held), 2, None)]
    row = read_model_rows(database)[str(held)]
    assert (row["version"], row["owner"]) == (2, "then")
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM projection_dead_letters").fetchone() == (0,)
    app.close()
