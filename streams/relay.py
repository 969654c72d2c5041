"""The outbox relay: follows the notification log in order and publishes it to Kafka.

Positions are recorded only after the broker acknowledged, so a crash re-publishes a bounded
tail and never loses an event. If the broker lost messages (a restart of the in-memory broker,
a recreated topic), the relay rewinds to the lowest position any projection still needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from infra.envelope import EDGE_COMMANDS_TOPIC, encode, published, topic_of
from infra.event_log import EventLog, LoggedEvent
from infra.kafka import RELAY_TOPICS, ensure_topics, lost_partitions, start_producer
from infra.notifications import until_first, wake_on_notify
from infra.postgres import LOWEST_NEEDED_SQL, RELAY_LOCK_KEY
from infra.read_models import PROJECTIONS

log = structlog.get_logger()

BATCH_SIZE = 2000
# The relay sleeps until the event store's NOTIFY says an append committed; this bounds the sleep
# should a notification go missing.
IDLE_WAIT = 1.0
BROKER_CHECK_INTERVAL = 2.0
RECONNECT_WAIT = 1.0


class BrokerLostMessagesError(Exception):
    """The broker's offsets went backwards: what it had acknowledged is gone."""


@dataclass
class PartitionMark:
    position: int
    next_offset: int


class Relay:
    """One relay session per broker connection; one active relay per database (advisory lock)."""

    def __init__(self, event_log: EventLog, dsn: str, bootstrap: str, partitions: int) -> None:
        self.event_log = event_log
        self.dsn = dsn
        self.bootstrap = bootstrap
        self.partitions = partitions
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        """Wait for the lock (a hot standby waits here), then publish until stopped."""
        async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as lock_conn:
            while not self.stopping.is_set():
                cur = await lock_conn.execute("SELECT pg_try_advisory_lock(%s)", (RELAY_LOCK_KEY,))
                row = await cur.fetchone()
                if row and row[0]:
                    break
                await self._sleep(1.0)
            log.info("relay_active", bootstrap=self.bootstrap)
            while not self.stopping.is_set():
                try:
                    await self._session()
                except (KafkaError, BrokerLostMessagesError, OSError) as error:
                    log.warning(
                        "relay_session_ended", error=type(error).__name__, detail=str(error)
                    )
                    await self._sleep(RECONNECT_WAIT)

    async def _session(self) -> None:
        await ensure_topics(self.bootstrap, self.partitions)
        appended = asyncio.Event()
        listener = asyncio.create_task(wake_on_notify(self.dsn, self.event_log.channel, appended))
        try:
            async with await psycopg.AsyncConnection.connect(self.dsn) as conn:
                position, marks = await self._resume(conn)
                producer = await start_producer(self.bootstrap)
                try:
                    await self._follow(conn, producer, position, marks, appended)
                finally:
                    await producer.stop()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _follow(
        self,
        conn: psycopg.AsyncConnection[Any],
        producer: AIOKafkaProducer,
        position: int,
        marks: dict[tuple[str, int], PartitionMark],
        appended: asyncio.Event,
    ) -> None:
        """Publish the log from `position` on, sleeping until `appended` when it is all out."""
        last_check = time.monotonic()
        while not self.stopping.is_set():
            # Cleared before reading: an append committing during the read wakes the next wait.
            appended.clear()
            batch = await asyncio.to_thread(self.event_log.read, position, BATCH_SIZE)
            if not batch:
                # An idle relay would not notice a broker that lost its topics until the next
                # event; look at the broker's offsets now and then.
                if time.monotonic() - last_check > BROKER_CHECK_INTERVAL:
                    last_check = time.monotonic()
                    if await self._broker_lost(marks):
                        raise BrokerLostMessagesError("the broker's offsets went back")
                await self._sleep(IDLE_WAIT, appended.wait())
                continue
            await self._publish(producer, conn, batch, marks)
            position = batch[-1].position

    async def _resume(
        self, conn: psycopg.AsyncConnection[Any]
    ) -> tuple[int, dict[tuple[str, int], PartitionMark]]:
        """The position to continue from, rewound if the broker no longer has what we sent."""
        cur = await conn.execute("SELECT position FROM relay_position")
        row = await cur.fetchone()
        position = int(row[0]) if row else 0
        marks = await self._marks(conn)
        if await self._broker_lost(marks):
            position = await self._lowest_needed(conn, position)
            async with conn.transaction():
                await conn.execute("DELETE FROM relay_partitions")
                await self._save_position(conn, position)
            marks = {}
            log.warning("relay_rewound_after_broker_loss", position=position)
        await conn.commit()
        return position, marks

    async def _broker_lost(self, marks: dict[tuple[str, int], PartitionMark]) -> bool:
        """Whether the broker lost a record it acknowledged to us (a restart with empty topics)."""
        for topic in RELAY_TOPICS:
            last_acked = {p: m.next_offset - 1 for (t, p), m in marks.items() if t == topic}
            lost = await lost_partitions(self.bootstrap, topic, last_acked) if last_acked else []
            if lost:
                log.warning("relay_broker_lost_records", topic=topic, partitions=lost)
                return True
        return False

    async def _lowest_needed(self, conn: psycopg.AsyncConnection[Any], position: int) -> int:
        """Below this position every projection has applied everything the relay published."""
        cur = await conn.execute(LOWEST_NEEDED_SQL, (list(PROJECTIONS),))
        row = await cur.fetchone()
        return position if row is None or row[0] is None else min(position, int(row[0]))

    async def _marks(
        self, conn: psycopg.AsyncConnection[Any]
    ) -> dict[tuple[str, int], PartitionMark]:
        cur = await conn.execute(
            "SELECT topic, partition, position, next_offset FROM relay_partitions"
        )
        return {(t, p): PartitionMark(pos, off) for t, p, pos, off in await cur.fetchall()}

    async def _publish(
        self,
        producer: AIOKafkaProducer,
        conn: psycopg.AsyncConnection[Any],
        batch: Sequence[LoggedEvent],
        marks: dict[tuple[str, int], PartitionMark],
    ) -> None:
        sends = []
        for item in batch:
            # One aggregate's messages share a key, so they stay in order on one partition.
            routed = []
            if item.envelope is not None:
                routed.append((topic_of(item.envelope), published(item.envelope)))
            if item.edge_command is not None:
                routed.append((EDGE_COMMANDS_TOPIC, encode(item.edge_command)))
            for topic, message in routed:
                future = await producer.send(topic, message, key=item.aggregate_id.encode())
                sends.append((item.position, future))
        moved: set[tuple[str, int]] = set()  # the partitions this batch wrote to
        for position, future in sends:
            metadata = await future
            key = (metadata.topic, metadata.partition)
            previous = marks.get(key)
            if previous is not None and metadata.offset < previous.next_offset:
                raise BrokerLostMessagesError(f"{key} offset {metadata.offset} went backwards")
            marks[key] = PartitionMark(position, metadata.offset + 1)
            moved.add(key)
        async with conn.transaction():
            await conn.cursor().executemany(
                "INSERT INTO relay_partitions (topic, partition, position, next_offset) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (topic, partition) DO UPDATE "
                "SET position = EXCLUDED.position, next_offset = EXCLUDED.next_offset",
                [(t, p, marks[t, p].position, marks[t, p].next_offset) for t, p in sorted(moved)],
            )
            await self._save_position(conn, batch[-1].position)

    @staticmethod
    async def _save_position(conn: psycopg.AsyncConnection[Any], position: int) -> None:
        await conn.execute(
            "INSERT INTO relay_position (singleton, position) VALUES (true, %s) "
            "ON CONFLICT (singleton) DO UPDATE SET position = EXCLUDED.position",
            (position,),
        )

    async def _sleep(self, seconds: float, *wakes: Awaitable[Any]) -> None:
        """Until the relay is stopped, one of `wakes` completes, or `seconds` pass."""
        await until_first(self.stopping.wait(), *wakes, timeout=seconds)
