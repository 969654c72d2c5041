"""The projection on real PostgreSQL and Redis: duplicates skipped, gaps filled from the store."""

from __future__ import annotations

import asyncio
from typing import Any

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
