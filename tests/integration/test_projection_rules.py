"""The projection on real PostgreSQL and Redis: duplicates skipped, gaps filled from the store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import psycopg
import pytest
import redis.asyncio as aredis

from commands.data_sources import DataSources
from commands.messages import RegisterDataSource, UpdateDataSource
from infra.envelope import CONTEXTS, encode, is_claim_check, topic_for
from infra.envelope import published as published_message
from infra.event_log import EventLog
from infra.postgres import create_schema
from infra.read_models import RedisSourceCache
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store
from streams.projector import Projector, RebuildError, Rebuilt
from tests.support import META, read_model_rows

SOURCES_TOPIC = topic_for(CONTEXTS["DataSource"])


@pytest.fixture
def app(database: str) -> Iterator[DataSources]:
    """The sources application on the test's database, with the read-model tables."""
    create_schema(database)
    store = open_event_store(database, AesGcmSecretBox("k"))
    yield store
    store.close()


def published(app: DataSources, database: str) -> tuple[EventLog, list[bytes]]:
    """The event store's log, and its public events as the relay publishes them."""
    log = EventLog(app, database)
    return log, [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]


@contextlib.asynccontextmanager
async def projecting(
    database: str, redis_url: str, log: EventLog, prefix: str
) -> AsyncIterator[Projector]:
    """A projector on the test's database and Redis; its cache keys are gone afterwards."""
    client = aredis.Redis.from_url(redis_url)
    projector = Projector(database, RedisSourceCache(client, prefix), log)
    try:
        yield projector
    finally:
        await projector.close()
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


def test_duplicates_are_skipped_and_gaps_filled(
    app: DataSources, database: str, redis_url: str
) -> None:
    sid = app.register(RegisterDataSource("gappy", "csv", {"path": "/d"}), META).aggregate_id
    app.update(UpdateDataSource(sid, owner="second"), META)
    app.update(UpdateDataSource(sid, tags=["third"]), META)
    log = EventLog(app, database)
    envelopes = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]
    v1, _v2, v3 = envelopes

    async def run() -> dict[str, Any]:
        async with projecting(database, redis_url, log, "dwtest:gap") as projector:
            # v2 never arrives: v3 reveals the gap, and v2 is read from the event store.
            await projector.apply([(SOURCES_TOPIC, 0, v1), (SOURCES_TOPIC, 0, v3)])
            # Redelivery of everything: nothing changes twice.
            await projector.apply([(SOURCES_TOPIC, 0, e) for e in (v1, v3, v1)])
            cached = await projector.cache.get(sid)
            assert cached is not None
            return cached

    cached = asyncio.run(run())
    row = read_model_rows(database)[str(sid)]
    assert (row["version"], row["owner"], row["tags"]) == (3, "second", ["third"])
    assert (cached["version"], cached["owner"], cached["tags"]) == (3, "second", ["third"])


def test_an_event_holding_nul_is_projected_with_the_rest_of_its_batch(
    app: DataSources, database: str, redis_url: str
) -> None:
    """PostgreSQL text cannot hold NUL; such an event (here from the command side, which the API
    now refuses, or from a source's own data) must not stop the batch it arrives in."""
    odd = app.register(RegisterDataSource("odd", "csv", {"path": "/d"}, owner="a\x00b"), META)
    plain = app.register(RegisterDataSource("plain", "csv", {"path": "/e"}), META)
    app.update(UpdateDataSource(odd.aggregate_id, tags=["t\x00u"]), META)
    log = EventLog(app, database)
    envelopes = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]
    first, second, third = envelopes

    async def run() -> None:
        async with projecting(database, redis_url, log, "dwtest:nul") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, first), (SOURCES_TOPIC, 0, second)])
            # The NUL-holding source's next event, in a batch of its own.
            await projector.apply([(SOURCES_TOPIC, 0, third)])

    asyncio.run(run())
    rows = read_model_rows(database)
    assert rows[str(odd.aggregate_id)]["owner"] == "a\ufffdb"
    assert rows[str(odd.aggregate_id)]["tags"] == ["t\ufffdu"]
    assert rows[str(plain.aggregate_id)]["name"] == "plain"


def test_a_claim_check_is_projected_whole_from_the_event_store_nul_and_all(
    app: DataSources, database: str, redis_url: str
) -> None:
    """An event too large for one Kafka message arrives as a claim check (no data); the
    projection reads it from the event store, NUL characters made storable as in any event."""
    tags = [f"tag-{n:05d}-{'x' * 80}" for n in range(9000)]  # ~0.8 MB of JSON
    wide = app.register(RegisterDataSource("wide", "csv", {"path": "/w"}), META)
    app.update(UpdateDataSource(wide.aggregate_id, owner="a\x00b", tags=tags), META)
    log = EventLog(app, database)
    messages = [published_message(e.envelope) for e in log.read(0, 100) if e.envelope is not None]
    registered, claim = messages
    assert is_claim_check(orjson.loads(claim)) and len(claim) < 2000

    async def run() -> None:
        async with projecting(database, redis_url, log, "dwtest:claim") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, registered), (SOURCES_TOPIC, 0, claim)])

    asyncio.run(run())
    row = read_model_rows(database)[str(wide.aggregate_id)]
    assert (row["owner"], row["tags"], row["version"]) == ("a\ufffdb", tags, 2)
    with psycopg.connect(database) as conn:
        (audited,) = conn.execute(
            "SELECT data FROM rm_audit_events WHERE aggregate_id = %s AND type = 'Updated'",
            (wide.aggregate_id,),
        ).fetchone() or (None,)
    assert audited is not None and audited["changes"]["tags"] == tags
    with psycopg.connect(database) as conn:
        parked = conn.execute("SELECT count(*) FROM projection_dead_letters").fetchone()
    assert parked == (0,)


def test_a_poison_event_is_parked_with_its_aggregates_later_events_and_the_rest_flows(
    app: DataSources, database: str, redis_url: str
) -> None:
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
        async with projecting(database, redis_url, log, "dwtest:poison") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, m) for m in (poison, good_v1, bad_v2)])
            await projector.apply([(SOURCES_TOPIC, 0, good_v2)])
            # A later event of the parked aggregate, in a batch of its own, parks too.
            (v3,) = [
                encode(e.envelope)
                for e in log.read(bad_v3.position - 1, 1)
                if e.envelope is not None
            ]
            await projector.apply([(SOURCES_TOPIC, 0, v3)])

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


def test_a_connection_left_in_a_failed_transaction_does_not_park_the_next_batch(
    app: DataSources, database: str, redis_url: str
) -> None:
    sid = app.register(RegisterDataSource("after", "csv", {"path": "/a"}), META).aggregate_id
    log = EventLog(app, database)
    (registered,) = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]

    async def run() -> None:
        async with projecting(database, redis_url, log, "dwtest:failed-tx") as projector:
            # As a read after a batch's commit can leave it: inside a transaction that failed.
            conn = await projector._connection()
            with contextlib.suppress(psycopg.errors.DivisionByZero):
                await conn.execute("SELECT 1 / 0")
            await projector.apply([(SOURCES_TOPIC, 0, registered)])

    asyncio.run(run())
    assert read_model_rows(database)[str(sid)]["name"] == "after"
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM projection_dead_letters").fetchone() == (0,)


def test_parked_events_replay_once_what_made_them_fail_is_fixed(
    app: DataSources, database: str, redis_url: str
) -> None:
    held = app.register(RegisterDataSource("held", "csv", {"path": "/h"}), META).aggregate_id
    app.update(UpdateDataSource(held, owner="then"), META)
    log, messages = published(app, database)
    # What makes them fail: a rule of the read model's that the events break (say, a migration
    # gone wrong), put right afterwards.
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE rm_data_sources ADD CONSTRAINT no_held CHECK (name <> 'held') NOT VALID"
        )

    async def run() -> tuple[list[Any], list[Any]]:
        async with projecting(database, redis_url, log, "dwtest:replay") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, m) for m in messages])
            before = await projector.replay_parked()  # still failing: stays parked
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute("ALTER TABLE rm_data_sources DROP CONSTRAINT no_held")
            after = await projector.replay_parked()
            return before, after

    before, after = asyncio.run(run())
    assert [(r.aggregate_id, r.events) for r in before] == [(str(held), 2)]
    assert before[0].failure is not None and "CheckViolation" in before[0].failure
    assert [(r.aggregate_id, r.events, r.failure) for r in after] == [(str(held), 2, None)]
    row = read_model_rows(database)[str(held)]
    assert (row["version"], row["owner"]) == (2, "then")
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM projection_dead_letters").fetchone() == (0,)


def test_a_message_that_names_no_aggregate_is_parked_under_none(
    app: DataSources, database: str, redis_url: str
) -> None:
    log = EventLog(app, database)
    nameless = b'{"position": 7, "type": "datawave.sources.Registered.v1"}'

    async def run() -> None:
        async with projecting(database, redis_url, log, "dwtest:nameless") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, nameless)])

    asyncio.run(run())
    with psycopg.connect(database) as conn:
        parked = conn.execute(
            "SELECT position, aggregate_id, aggregate_version, type FROM projection_dead_letters"
        ).fetchall()
    # NULL, not the text "None": replay would otherwise treat "None" as one aggregate.
    assert parked == [(7, None, None, "datawave.sources.Registered.v1")]


def test_a_rebuild_replays_the_event_store_into_the_read_models_and_the_cache(
    app: DataSources, database: str, redis_url: str
) -> None:
    first = app.register(RegisterDataSource("first", "csv", {"path": "/f"}), META).aggregate_id
    app.update(UpdateDataSource(first, owner="owner-2"), META)
    second = app.register(RegisterDataSource("second", "csv", {"path": "/s"}), META).aggregate_id
    log, messages = published(app, database)
    seen: list[tuple[int, int]] = []

    async def run() -> tuple[Rebuilt, dict[str, Any] | None]:
        async with projecting(database, redis_url, log, "dwtest:rebuild") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, m) for m in messages])
            # The read models drift from the store (a bug, a hand edit, a projection changed).
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute(
                    "UPDATE rm_data_sources SET owner = 'tampered' WHERE id = %s", (first,)
                )
                conn.execute("DELETE FROM rm_data_sources WHERE id = %s", (second,))
                conn.execute("DELETE FROM rm_audit_events WHERE aggregate_id = %s", (first,))
            stale = {"version": 99, "body": json.dumps({"owner": "tampered", "version": 99})}
            await projector.cache.redis.hset(projector.cache.key(str(first)), mapping=stale)
            rebuilt = await projector.rebuild(["data_sources", "audit"], lambda *p: seen.append(p))
            return rebuilt, await projector.cache.get(first)

    rebuilt, cached = asyncio.run(run())
    assert (rebuilt.events, rebuilt.position) == (3, log.last_position())
    assert seen[-1] == (rebuilt.position, rebuilt.position)
    rows = read_model_rows(database)
    assert set(rows) == {str(first), str(second)}
    assert (rows[str(first)]["owner"], rows[str(first)]["version"]) == ("owner-2", 2)
    assert cached is not None and (cached["owner"], cached["version"]) == ("owner-2", 2)
    with psycopg.connect(database) as conn:
        audit = conn.execute("SELECT count(*) FROM rm_audit_events").fetchone()
    assert audit == (3,)


def test_a_rebuild_that_fails_changes_nothing(
    app: DataSources, database: str, redis_url: str
) -> None:
    kept = app.register(RegisterDataSource("kept", "csv", {"path": "/k"}), META).aggregate_id
    log, messages = published(app, database)

    async def run() -> None:
        async with projecting(database, redis_url, log, "dwtest:rebuild-fails") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, m) for m in messages])
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute("UPDATE rm_data_sources SET owner = 'by hand' WHERE id = %s", (kept,))
                conn.execute(
                    "ALTER TABLE rm_data_sources ADD CONSTRAINT no_kept "
                    "CHECK (name <> 'kept' OR coalesce(owner, '') = 'by hand') NOT VALID"
                )
            with pytest.raises(RebuildError, match=f"of {kept}\\) cannot be applied: Check"):
                await projector.rebuild(["data_sources"], lambda *_: None)

    asyncio.run(run())
    assert read_model_rows(database)[str(kept)]["owner"] == "by hand"


def test_a_rebuild_leaves_out_aggregates_with_a_parked_event_as_the_worker_does(
    app: DataSources, database: str, redis_url: str
) -> None:
    held = app.register(RegisterDataSource("held", "csv", {"path": "/h"}), META).aggregate_id
    app.update(UpdateDataSource(held, owner="later"), META)
    fine = app.register(RegisterDataSource("fine", "csv", {"path": "/f"}), META).aggregate_id
    log, messages = published(app, database)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE rm_data_sources ADD CONSTRAINT no_held CHECK (name <> 'held') NOT VALID"
        )

    async def run() -> Rebuilt:
        async with projecting(database, redis_url, log, "dwtest:rebuild-held") as projector:
            await projector.apply([(SOURCES_TOPIC, 0, m) for m in messages])  # parks "held"
            return await projector.rebuild(["data_sources", "audit"], lambda *_: None)

    rebuilt = asyncio.run(run())
    assert (rebuilt.events, rebuilt.held_back) == (1, 2)
    assert set(read_model_rows(database)) == {str(fine)}
    with psycopg.connect(database) as conn:
        parked = conn.execute("SELECT count(*) FROM projection_dead_letters").fetchone()
    assert parked == (2,)  # still there, for `projections replay`


def test_a_batch_the_worker_applies_during_a_rebuild_waits_and_keeps_the_newer_row(
    app: DataSources, database: str, redis_url: str
) -> None:
    sid = app.register(RegisterDataSource("busy", "csv", {"path": "/b"}), META).aggregate_id
    app.update(UpdateDataSource(sid, owner="second"), META)
    app.update(UpdateDataSource(sid, owner="third"), META)
    log = EventLog(app, database)
    v1, v2, _v3 = [encode(e.envelope) for e in log.read(0, 100) if e.envelope is not None]

    waited: list[float] = []
    failures: list[BaseException] = []

    def worker(messages: list[bytes]) -> None:
        async def run() -> None:
            async with projecting(database, redis_url, log, "dwtest:busy-worker") as projector:
                began = time.monotonic()
                await projector.apply([(SOURCES_TOPIC, 0, m) for m in messages])
                waited.append(time.monotonic() - began)

        try:
            asyncio.run(run())
        except BaseException as error:  # noqa: BLE001 - the test thread reports it below
            failures.append(error)

    worker([v1])
    late = threading.Thread(target=worker, args=([v2],))

    def while_rebuilding(*_: int) -> None:
        # The rebuild holds its lock and has applied v3: a batch with v2 starts now and must
        # wait, then find v3 there (a duplicate), not write v2 over it.
        if not late.is_alive():
            late.start()
            time.sleep(1.0)

    async def rebuild() -> None:
        async with projecting(database, redis_url, log, "dwtest:busy") as projector:
            await projector.rebuild(["data_sources"], while_rebuilding)

    asyncio.run(rebuild())
    late.join(timeout=30)
    assert failures == []
    assert waited[-1] > 0.5  # it waited for the rebuild's commit
    row = read_model_rows(database)[str(sid)]
    assert (row["version"], row["owner"]) == (3, "third")
