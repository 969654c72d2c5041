"""The event store appends in commit order: a reader following notification ids never passes
over an id whose transaction commits later."""

from __future__ import annotations

import asyncio
import threading
import uuid

import psycopg

from commands.messages import RegisterDataSource
from domain.meta import EventMeta
from infra.event_log import EventLog
from infra.event_recorder import INSERT_FUNCTION
from infra.notifications import wake_on_notify
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store

META: EventMeta = {"actor": "test", "correlation_id": "c", "causation_id": "c"}


def test_an_append_waits_for_an_earlier_uncommitted_one_and_gets_a_higher_id(
    database: str,
) -> None:
    app = open_event_store(database, AesGcmSecretBox("k"))
    try:
        with psycopg.connect(database) as slow:
            row = slow.execute(
                f"SELECT * FROM {INSERT_FUNCTION}(%s, %s, %s, %s)",
                ([uuid.uuid4()], [1], ["test:Slow"], [b"{}"]),
            ).fetchone()
            assert row is not None
            first_id = row[0]
            receipts = []
            writer = threading.Thread(
                target=lambda: receipts.append(
                    app.register(
                        RegisterDataSource(
                            name="later", kind="sqlite", connection={"path": "/srv/data/x.db"}
                        ),
                        META,
                    )
                )
            )
            writer.start()
            writer.join(timeout=1.0)
            assert writer.is_alive(), "an append went ahead of an uncommitted earlier one"
            slow.commit()
        writer.join(timeout=10)
        assert len(receipts) == 1
        assert receipts[0].position > first_id
    finally:
        app.close()


def test_each_committed_append_wakes_a_listener_on_the_event_logs_channel(database: str) -> None:
    """What the relay sleeps on: it reads the log when an append commits, not on a timer."""
    app = open_event_store(database, AesGcmSecretBox("k"))
    event_log = EventLog(app, database)

    async def wakes() -> list[bool]:
        woken = asyncio.Event()
        listener = asyncio.create_task(wake_on_notify(database, event_log.channel, woken))
        try:
            await asyncio.wait_for(woken.wait(), 10)  # connected: set once to catch up
            seen = []
            for name in ("first", "second"):
                woken.clear()
                await asyncio.sleep(0.3)
                seen.append(woken.is_set())  # nothing appended yet: still asleep
                cmd = RegisterDataSource(name=name, kind="sqlite", connection={"path": "/x.db"})
                await asyncio.to_thread(app.register, cmd, META)
                await asyncio.wait_for(woken.wait(), 10)
                seen.append(woken.is_set())
            return seen
        finally:
            listener.cancel()

    try:
        assert asyncio.run(wakes()) == [False, True, False, True]
    finally:
        app.close()
